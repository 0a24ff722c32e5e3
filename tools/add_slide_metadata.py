"""Add reveal.js slide metadata to notebook sources (.py, jupytext percent format).

Usage: python tools/add_slide_metadata.py [--force] [--check] notebooks/NN_topic.py ...

The slide type of each cell follows from the notebook's structure (house style: title,
Setup, numbered `##` sections, Summary, Exercises, Solutions):

- the title cell and every cell with a `##` heading open a slide;
- the Setup section (imports, `setup(seed=...)`, the parameters cell) is skipped;
- a markdown cell inside a section opens a sub-slide (the next step of the story);
- a code cell follows the markdown before it on the same slide, or opens a sub-slide
  when it follows another code cell (each result gets the screen to itself) or when the
  two together are too long for one slide;
- exercise stubs and their check cells are skipped (the exercise text stays);
- the `## Solutions` section and every cell tagged "solution" are skipped;
- a markdown cell that starts with "**Instructor note" or "**Ask the room" goes to the
  speaker notes.

A cell that already has a slide type keeps it (an instructor's choice wins), so the script
is idempotent; `--force` recomputes every cell. `--check` changes nothing and exits 1 if a
file would change. `--update-ipynb` then carries the metadata into each paired .ipynb with
`jupytext --update --to ipynb`, without re-executing it (outputs are kept).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupytext.cell_metadata import metadata_to_text, text_to_metadata

CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")
NOTES_OPENERS = ("**Instructor note", "**Ask the room")
# A markdown cell and the code under it share a slide only if together they are at most this
# many lines: more, and the code (with its output) gets a sub-slide of its own.
MAX_STEP_LINES = 22


@dataclass
class Cell:
    header_index: int  # line index of the `# %%` line
    title_or_type: str  # "[markdown]" or "" for code
    metadata: dict
    lines: list[str] = field(default_factory=list)
    source: str | None = None  # the cell's text, when it comes from an .ipynb

    @classmethod
    def from_notebook_cell(cls, cell: dict) -> Cell:
        """A Cell from an nbformat cell (tools/build_slides.py uses it on .ipynb files)."""
        kind = "[markdown]" if cell["cell_type"] == "markdown" else ""
        return cls(-1, kind, dict(cell.get("metadata", {})), source=cell["source"])

    @property
    def is_markdown(self) -> bool:
        return self.title_or_type.startswith("[markdown]")

    @property
    def text(self) -> str:
        """The cell's content with the comment prefix of markdown lines removed."""
        if self.source is not None:
            return self.source.strip()
        if not self.is_markdown:
            return "\n".join(self.lines).strip()
        return "\n".join(re.sub(r"^# ?", "", line) for line in self.lines).strip()


def parse_cells(lines: list[str]) -> list[Cell]:
    cells: list[Cell] = []
    for index, line in enumerate(lines):
        match = CELL_MARKER.match(line)
        if match:
            title, metadata = text_to_metadata(match.group("rest").strip(), allow_title=True)
            cells.append(Cell(index, title, metadata))
        elif cells:
            cells[-1].lines.append(line)
    return cells


def _is_stub_or_check(cell: Cell) -> bool:
    """An exercise's learner stub or its check call: plumbing for learners, not for slides."""
    code = cell.text
    if "NotImplementedError" in code:
        return True
    statements = [s for s in code.splitlines() if s.strip() and not s.startswith("#")]
    return (
        bool(statements)
        and all(
            re.match(r"^(check_\w+|run_check)\(", s) or s.startswith(("from ", "import "))
            for s in statements
        )
        and any(s.startswith(("check_", "run_check")) for s in statements)
    )


def _screen_lines(markdown: str, width: int = 110) -> int:
    """Roughly how many lines of a 1280-pixel slide `markdown` fills."""
    return sum(1 + len(line) // width for line in markdown.splitlines())


def slide_types(cells: list[Cell]) -> list[str]:
    """The slide type of every cell, from the notebook's structure alone."""
    types = []
    section = ""  # the current `##` heading, lower case
    previous = None  # the previous cell's type ("markdown" or "code") on a shown slide
    previous_lines = 0  # how many lines the previous markdown cell fills
    for position, cell in enumerate(cells):
        text = cell.text
        heading = re.search(r"^##\s+(.*)", text, flags=re.MULTILINE)
        if heading:
            section = heading.group(1).strip().lower()
        solution = "solution" in cell.metadata.get("tags", [])
        if solution or section.startswith(("setup", "solutions")):
            types.append("skip")
            continue
        if cell.is_markdown:
            if position == 0 or heading or text.startswith("# "):
                kind = "slide"
            elif text.startswith(NOTES_OPENERS):
                types.append("notes")
                continue
            else:
                kind = "subslide"
            previous = "markdown"
            previous_lines = _screen_lines(text)
        else:
            if section.startswith("exercises") and _is_stub_or_check(cell):
                types.append("skip")
                continue
            fits = previous_lines + len(text.splitlines()) <= MAX_STEP_LINES
            kind = "-" if previous == "markdown" and fits else "subslide"
            previous = "code"
        types.append(kind)
    return types


def add_slide_metadata(source: str, force: bool = False) -> str:
    """`source` (a percent-format notebook) with a slide type on every cell."""
    lines = source.split("\n")
    cells = parse_cells(lines)
    if not cells:
        raise ValueError("source has no `# %%` cell markers: is it a jupytext percent notebook?")
    for cell, kind in zip(cells, slide_types(cells), strict=True):
        if "slideshow" in cell.metadata and not force:
            continue
        metadata = dict(cell.metadata, slideshow={"slide_type": kind})
        # nbformat writes keys sorted, so jupytext writes them back sorted: do the same.
        metadata = {key: metadata[key] for key in sorted(metadata)}
        header = metadata_to_text(cell.title_or_type, metadata)
        lines[cell.header_index] = f"# %% {header}".rstrip()
    return "\n".join(lines)


def update_ipynb(source: Path) -> None:
    """Carry the .py's cell metadata into its paired .ipynb, keeping the stored outputs.

    An .ipynb written before jupytext.toml kept slide types carries its own
    `cell_metadata_filter` ("-all") in its metadata, which wins over jupytext.toml and
    drops `slideshow` and `tags` on the way back to .py: remove it first, and jupytext
    writes the filter of jupytext.toml in its place.
    """
    notebook = source.with_suffix(".ipynb")
    content = json.loads(notebook.read_text())
    if content["metadata"].pop("jupytext", None) is not None:
        notebook.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n")
    jupytext = Path(sys.executable).with_name("jupytext")
    subprocess.run([str(jupytext), "--quiet", "--update", "--to", "ipynb", str(source)], check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--force", action="store_true", help="recompute every slide type")
    parser.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    parser.add_argument(
        "--update-ipynb",
        action="store_true",
        help="then carry the metadata into each paired .ipynb (outputs kept, nothing executed)",
    )
    args = parser.parse_args(argv)
    changed = []
    for path in args.sources:
        if path.suffix != ".py":
            parser.error(f"{path}: expected a notebook source ending in .py")
        before = path.read_text()
        after = add_slide_metadata(before, force=args.force)
        if after != before:
            changed.append(path)
            if not args.check:
                path.write_text(after)
    verb = "would change" if args.check else "changed"
    for path in changed:
        print(f"{verb}: {path}")
    if args.update_ipynb and not args.check:
        for path in args.sources:
            update_ipynb(path)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
