"""Build the course website: README as home page, every notebook with its stored outputs.

Usage: python -m tools.build_site [--output build/site] [--stage build/site-src]

Stages site/conf.py, site/_static, README.md (as index.md), INSTRUCTORS.md and
notebooks/NN_topic.ipynb into one folder, then runs Sphinx (myst-nb, sphinx-book-theme)
with warnings as errors. Nothing is executed and nothing is downloaded: MathJax is copied
from jupyter-server-mathjax into _static, search is Sphinx's own (an index in the site).
Solutions (cells tagged "solution") are collapsed: code behind myst-nb's "hide-input"
toggle, model answers inside a <details> block. Open build/site/index.html.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
from sphinx.cmd.build import build_main

from tools.build_slides import mathjax_folder
from tools.paths import GUIDE, README, ROOT
from tools.paths import notebooks as all_notebooks

NOTEBOOK_LINK = re.compile(r"\]\((notebooks/\d\d_[a-z0-9_]+)\.py\)")
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")
SOLUTION = "solution"
# The notebooks say how to open a solution in JupyterLab; the site's toggles differ.
SITE_HINT = (
    "*On this website:* click **Show code cell source** or **Model answer** to open a solution."
)


def _link_notebook_pages(markdown: str) -> str:
    """Links fit for the site: a notebook's .py source points to its page (the .ipynb), and
    a link to another file of the repository (the Makefile, a test), which is no page of the
    site, becomes its path in code, so that Sphinx has no missing target to warn about."""
    markdown = NOTEBOOK_LINK.sub(r"](\1.ipynb)", markdown)

    def relink(match: re.Match) -> str:
        text, target = match.groups()
        page = target.split("#")[0]
        if re.match(r"^(https?:|mailto:|#)", target) or page.endswith((".md", ".ipynb")):
            return match.group(0)
        return f"{text} (`{target}`)"

    return LINK.sub(relink, markdown)


def collapse_solutions(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Solution code cells behind a toggle (output shown); model answers in <details>."""
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and cell.source.startswith("## Solutions"):
            cell.source += f"\n\n{SITE_HINT}"
        if SOLUTION not in tags:
            continue
        if cell.cell_type == "code":
            cell.metadata["tags"] = [*tags, "hide-input"]
        elif cell.cell_type == "markdown" and cell.source.startswith("<details"):
            # Already folded in the notebook (so it stays folded after a learner runs it).
            cell.source = cell.source.replace("<details>", '<details class="solution">', 1)
        elif cell.cell_type == "markdown":
            cell.source = (
                '<details class="solution">\n<summary>Model answer (click to open)</summary>'
                f"\n\n{cell.source}\n\n</details>"
            )
    return notebook


def stage(folder: Path, notebooks: list[Path] | None = None) -> list[str]:
    """Write the site's sources into `folder`; return the notebook page names, in order."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(ROOT / "site", folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(mathjax_folder(), folder / "_static" / "mathjax")
    notebooks = notebooks or all_notebooks(".ipynb")
    (folder / "notebooks").mkdir()
    pages = []
    for path in notebooks:
        notebook = collapse_solutions(nbformat.read(path, as_version=4))
        nbformat.write(notebook, folder / "notebooks" / path.name)
        pages.append(f"notebooks/{path.stem}")
    guide = GUIDE
    extra = []
    if guide.exists():
        (folder / "INSTRUCTORS.md").write_text(_link_notebook_pages(guide.read_text()))
        extra.append("INSTRUCTORS")
    toctree = "\n".join(
        [
            "",
            "```{toctree}",
            ":hidden:",
            ":caption: Notebooks",
            "",
            *pages,
            "```",
            "",
            "```{toctree}",
            ":hidden:",
            ":caption: Teaching",
            "",
            *extra,
            "```",
            "",
        ]
    )
    readme = _link_notebook_pages(README.read_text())
    (folder / "index.md").write_text(readme + toctree)
    return pages


class _MainText(HTMLParser):
    """The text of a page's `role="main"` element, with the ids search links point to:
    `<main role="main">` holding `<div id="...">` blocks and text, and nothing else."""

    SKIPPED = {"script", "style", "nav", "button", "footer", "svg", "dialog"}
    SKIPPED_CLASSES = {"headerlink", "bd-sidebar-secondary", "prev-next-area", "bd-toc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <main role="main"> when > 0
        self.skipping = 0  # inside an element left out, when > 0
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, opened a div, skipped)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        found = dict(attrs)
        if tag in VOID_TAGS:
            return
        if not self.depth:
            if found.get("role") == "main":
                self.depth = 1
                self.stack = []
            return
        classes = set((found.get("class") or "").split())
        skipped = bool(self.skipping or tag in self.SKIPPED or classes & self.SKIPPED_CLASSES)
        opened = bool(found.get("id")) and not skipped
        if opened:
            self.parts.append(f'<div id="{html.escape(found["id"])}">')
        self.skipping += skipped
        self.stack.append((tag, opened, skipped))

    def handle_endtag(self, tag: str) -> None:
        if not self.depth or tag in VOID_TAGS:
            return
        if not self.stack:
            self.depth = 0
            return
        # Close up to the matching tag (HTML lets some end tags be left out).
        while self.stack:
            open_tag, opened, skipped = self.stack.pop()
            self.parts.append("</div>" if opened else "")
            self.skipping -= skipped
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skipping:
            self.parts.append(html.escape(re.sub(r"\s+", " ", data)))


VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


def search_pages(output: Path) -> dict[str, str]:
    """{page path: its main text as HTML} for every page search can find (searchindex)."""
    pages = {}
    for page in sorted(output.rglob("*.html")):
        name = page.relative_to(output).as_posix()
        if name in ("search.html", "genindex.html") or name.startswith("_"):
            continue
        parser = _MainText()
        parser.feed(page.read_text())
        pages[name] = f'<main role="main">{"".join(parser.parts)}</main>'
    return pages


def write_search_pages(output: Path) -> Path:
    """_static/search-pages.js: the pages' text, for snippets in search (site/_static/
    offline-search.js reads it when the site is opened from disk)."""
    target = output / "_static" / "search-pages.js"
    data = json.dumps(search_pages(output), ensure_ascii=False, separators=(",", ":"))
    target.write_text(
        "// Written by tools/build_site.py: each page's text, for search snippets offline.\n"
        f"window.COURSE_SEARCH_PAGES = {data};\n"
    )
    return target


def build(output: Path, staging: Path, notebooks: list[Path] | None = None) -> int:
    """Stage and build the site into `output` with warnings as errors; Sphinx's exit code."""
    stage(staging, notebooks)
    doctrees = staging / "_doctrees"
    args = ["-b", "html", "-W", "--keep-going", "-q", "-d", str(doctrees), str(staging)]
    status = build_main([*args, str(output)])
    if status == 0:
        write_search_pages(output)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--stage", type=Path, default=ROOT / "build" / "site-src")
    args = parser.parse_args(argv)
    status = build(args.output, args.stage)
    if status == 0:
        print(f"site: {args.output / 'index.html'}")
    return status


if __name__ == "__main__":
    sys.exit(main())
