"""Build one offline reveal.js deck per notebook, from its stored outputs (no execution).

Usage: python -m tools.build_slides [--output build/slides] [notebooks/NN_topic.ipynb ...]

Each deck is `NN_topic.slides.html` in the output folder, beside the two things it loads:
`reveal.js/` (reveal.js 5, copied from the sphinx-revealjs package, with its licence) and
`mathjax/` (MathJax 2, copied from jupyter-server-mathjax, with its licence). The template
in slides/templates/course has no external URL, so the decks work on a laptop with no
network: open the .html file in a browser, press S for the speaker view.

Slide types come from each cell's `slideshow` metadata (tools/add_slide_metadata.py writes
it into the .py sources); a notebook without any is given the same types in memory.
Cells tagged "solution" are always skipped. Each `##` section gets speaker notes: the
numbers its code cells printed (read from the stored outputs, never typed) and the question
to ask the room, taken from INSTRUCTORS.md ("Ask the room" lists).
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from tools.add_slide_metadata import Cell, slide_types

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "slides" / "templates"
COURSE_CSS = ROOT / "slides" / "course.css"
GUIDE = ROOT / "INSTRUCTORS.md"
NUMBER = re.compile(r"\d+\.\d+")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY_LINE = re.compile(r"params:|[│┃━─]")
HEADING = re.compile(r"^##\s+(.+)$", re.MULTILINE)
MAX_NOTE_LINES = 8
THEME = "white"
MAX_CODE_LINES_WITH_PLOT = 8
HIDE_CODE_TAG = "slides-hide-code"
LONG_TEXT_TAG = "slides-long-text"  # a smaller font (slides/course.css)
LONG_TEXT_CHARACTERS = 700
SLIDE_LINES = 26  # what a 1280x720 slide holds, in lines of text or code


def reveal_js_folder() -> Path:
    """reveal.js 5 as shipped by sphinx-revealjs: dist/, plugin/ and LICENSE."""
    import sphinx_revealjs

    folder = Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs"
    if not (folder / "dist" / "reveal.js").exists():
        raise FileNotFoundError(f"reveal.js not found in {folder}: is sphinx-revealjs installed?")
    return folder


def mathjax_folder() -> Path:
    """MathJax 2.7 as shipped by jupyter-server-mathjax (MathJax.js, config/, jax/, fonts/)."""
    import jupyter_server_mathjax

    folder = Path(jupyter_server_mathjax.__file__).parent / "static"
    if not (folder / "MathJax.js").exists():
        raise FileNotFoundError(f"MathJax not found in {folder}: is jupyter-server-mathjax there?")
    return folder


def copy_assets(output: Path) -> None:
    """Copy reveal.js and MathJax beside the decks, once (skipped when already there)."""
    reveal = output / "reveal.js"
    if not (reveal / "dist" / "reveal.js").exists():
        source = reveal_js_folder()
        # Only the white theme: others import their fonts from a font CDN.
        (reveal / "dist" / "theme").mkdir(parents=True, exist_ok=True)
        for name in ("reveal.js", "reveal.css", "reset.css", f"theme/{THEME}.css"):
            shutil.copy(source / "dist" / name, reveal / "dist" / name)
        fonts = "theme/fonts/source-sans-pro"
        shutil.copytree(source / "dist" / fonts, reveal / "dist" / fonts)
        shutil.copytree(source / "plugin" / "notes", reveal / "plugin" / "notes")
        shutil.copy(source / "LICENSE", reveal / "LICENSE")
    if not (output / "mathjax" / "MathJax.js").exists():
        shutil.copytree(mathjax_folder(), output / "mathjax")


def room_questions(stem: str, guide: Path = GUIDE) -> dict[str, str]:
    """{heading phrase: question} from the "Ask the room" list of notebook `stem` in the guide.

    In INSTRUCTORS.md, under the `## NN ...` heading of the notebook, a `### Ask the room`
    list holds items `- *phrase*: question`, where phrase is part of a `##` heading.
    """
    if not guide.exists():
        return {}
    number = stem[:2]
    questions: dict[str, str] = {}
    in_notebook = in_list = False
    for line in guide.read_text().splitlines():
        if line.startswith("## "):
            in_notebook = line[3:].lstrip().startswith(number)
            in_list = False
        elif line.startswith("### "):
            in_list = in_notebook and line[4:].strip().lower() == "ask the room"
        elif in_list:
            item = re.match(r"^- \*(.+?)\*:\s*(.+)$", line)
            if item:
                questions[item.group(1).strip()] = item.group(2).strip()
    return questions


def _output_lines(cell: dict) -> list[str]:
    lines = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            text = output["text"]
        else:
            text = output.get("data", {}).get("text/plain", "")
        lines += [ANSI.sub("", line).strip() for line in "".join(text).splitlines()]
    # Numbers a presenter quotes: not a Keras model summary's parameter counts and sizes.
    return [line for line in lines if NUMBER.search(line) and not SUMMARY_LINE.search(line)]


def section_notes(cells: list[dict], stem: str) -> dict[int, str]:
    """{index of a `##` heading cell: markdown of its speaker notes}."""
    questions = room_questions(stem)
    notes: dict[int, str] = {}
    heading_at = None
    numbers: list[str] = []

    def close() -> None:
        if heading_at is None:
            return
        heading = HEADING.search(cells[heading_at]["source"]).group(1).strip()
        parts = []
        if numbers:
            shown = numbers[:MAX_NOTE_LINES]
            more = len(numbers) - len(shown)
            parts.append("**Key numbers** (from the stored outputs):\n")
            parts += [f"- `{line[:110]}`" for line in shown]
            if more:
                parts.append(f"- ... and {more} more lines in the notebook")
        asked = [q for phrase, q in questions.items() if phrase.lower() in heading.lower()]
        if asked:
            parts.append(f"\n**Ask the room:** {asked[0]}")
        if parts:
            notes[heading_at] = "\n".join(parts)

    for index, cell in enumerate(cells):
        if cell["cell_type"] == "markdown" and HEADING.search(cell["source"]):
            close()
            heading_at, numbers = index, []
        elif cell["cell_type"] == "code" and "solution" not in cell["metadata"].get("tags", []):
            numbers += _output_lines(cell)
    close()
    return notes


def _screen_lines(cell: dict) -> int:
    """Roughly how many 24-pixel lines `cell` fills on a 1280x720 slide."""
    if cell["cell_type"] == "markdown":
        return sum(1 + len(line) // 110 for line in cell["source"].splitlines())
    hidden = HIDE_CODE_TAG in cell["metadata"].get("tags", [])
    lines = 0 if hidden else len(cell["source"].splitlines())
    for output in cell.get("outputs", []):
        if "image/png" in output.get("data", {}):
            lines += 20 if hidden else 15  # 470 or 340 pixels (slides/course.css)
        else:  # printed lines wrap at about 120 characters (slides/course.css)
            lines += sum(1 + len(line) // 120 for line in _text(output).splitlines())
    return lines


def _text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return "".join(output["text"])
    return "".join(output.get("data", {}).get("text/plain", ""))


def _split_crowded_slides(cells: list) -> None:
    """Give a code cell its own sub-slide when, with the text above it, it would overflow."""
    used = 0
    for cell in cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        if kind in ("skip", "notes"):
            continue
        lines = _screen_lines(cell)
        if kind == "-" and cell.cell_type == "code" and used + lines > SLIDE_LINES:
            cell.metadata["slideshow"]["slide_type"] = kind = "subslide"
        used = lines if kind in ("slide", "subslide") else used + lines


def prepare(notebook: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """A copy of `notebook` with slide types on every cell and speaker notes per section."""
    notebook = copy.deepcopy(notebook)
    cells = notebook.cells
    computed = slide_types([Cell.from_notebook_cell(cell) for cell in cells])
    for cell, kind in zip(cells, computed, strict=True):
        slideshow = cell.metadata.setdefault("slideshow", {})
        slideshow.setdefault("slide_type", kind)
        if "solution" in cell.metadata.get("tags", []):
            slideshow["slide_type"] = "skip"
        if cell.cell_type == "markdown" and len(cell.source) > LONG_TEXT_CHARACTERS:
            cell.metadata.setdefault("tags", []).append(LONG_TEXT_TAG)
        if cell.cell_type != "code":
            continue
        # A slide shows results: no stderr (the notebook tests keep it out of outputs anyway).
        cell.outputs = [o for o in cell.outputs if o.get("name") != "stderr"]
        # A long cell that draws a plot: the plot is the point, the code stays in the notebook.
        plots = any("image/png" in o.get("data", {}) for o in cell.outputs)
        if plots and len(cell.source.splitlines()) > MAX_CODE_LINES_WITH_PLOT:
            cell.metadata.setdefault("tags", []).append(HIDE_CODE_TAG)
    _split_crowded_slides(cells)
    notes = section_notes(cells, stem)
    for index in sorted(notes, reverse=True):
        if cells[index].metadata["slideshow"]["slide_type"] == "skip":
            continue
        note = nbformat.v4.new_markdown_cell(notes[index])
        note.metadata["slideshow"] = {"slide_type": "notes"}
        cells.insert(index + 1, note)
    return notebook


def exporter() -> SlidesExporter:
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_input_tags = {HIDE_CODE_TAG}
    return SlidesExporter(
        config=config,
        template_name="course",
        extra_template_basedirs=[str(TEMPLATES)],
        reveal_url_prefix="reveal.js",
        reveal_theme=THEME,
        reveal_transition="none",
        reveal_width="1280",
        reveal_height="720",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def build(notebooks: list[Path], output: Path) -> list[Path]:
    """Write one deck per notebook into `output`; return their paths."""
    output.mkdir(parents=True, exist_ok=True)
    copy_assets(output)
    slides = exporter()
    resources = {"course_css": COURSE_CSS.read_text(), "course_mathjax": "mathjax"}
    decks = []
    for path in notebooks:
        notebook = prepare(nbformat.read(path, as_version=4), path.stem)
        body, _ = slides.from_notebook_node(
            notebook, resources={**resources, "metadata": {"name": path.stem}}
        )
        deck = output / f"{path.stem}.slides.html"
        deck.write_text(body)
        decks.append(deck)
    return decks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for deck in build(notebooks, args.output):
        print(f"slides: {deck}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
