"""Build one offline reveal.js deck per notebook, from its stored outputs (no execution).

Usage: python -m tools.build_slides [--output build/slides] [notebooks/NN_topic.ipynb ...]

Each deck is `NN_topic.slides.html` in the output folder, beside what it loads:
`reveal.js/` (reveal.js 5, copied from the sphinx-revealjs package, with its licence),
`mathjax/` (MathJax 2, copied from jupyter-server-mathjax, with its licence) and `fonts/`
(DejaVu Sans Mono, copied from matplotlib, with its licence). `index.html` lists the decks.
The template in slides/templates/course has no external URL, so the decks work on a laptop
with no network: open index.html in a browser, press S in a deck for the speaker view.

Slide types come from each cell's `slideshow` metadata (tools/add_slide_metadata.py writes
it into the .py sources); a notebook without any is given the same types in memory.
Cells tagged "solution" are always skipped. The deck is 980x735 (4:3), sized so that code
is 16 px on a 1024x768 projector; tools/slide_layout.py lays each slide out so that nothing
is cut or runs past it. Each `##` section gets speaker notes (tools/slide_notes.py).
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import SlidesExporter
from traitlets.config import Config

from tools.add_slide_metadata import Cell, slide_types
from tools.paths import README, ROOT
from tools.paths import notebooks as all_notebooks
from tools.slide_layout import (
    DECK_HEIGHT,
    DECK_WIDTH,
    HIDE_CODE_TAG,
    LONG_TEXT_TAG,
    MARGIN,
    paginate,
)
from tools.slide_notes import room_questions, section_notes

# room_questions: tests/docs/test_instructors.py imports it from here.
__all__ = ["build", "prepare", "room_questions", "section_notes"]

TEMPLATES = ROOT / "slides" / "templates"
COURSE_CSS = ROOT / "slides" / "course.css"
THEME = "white"
MONO_FONTS = [f"DejaVuSansMono{style}" for style in ("", "-Bold", "-Oblique", "-BoldOblique")]
MAX_CODE_LINES_WITH_PLOT = 8
LONG_TEXT_CHARACTERS = 700  # a markdown cell this long gets a smaller font (slides/course.css)
INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{course}: slides</title>
<style>
  body {{ font-family: system-ui, sans-serif; font-size: 20px; line-height: 1.5;
         max-width: 44em; margin: 2em auto; padding: 0 1em; color: #222; }}
  li {{ margin: 0.3em 0; }}
  kbd {{ border: 1px solid #aaa; border-radius: 3px; padding: 0 0.3em; }}
</style>
</head>
<body>
<h1>{course}: slides</h1>
<p>One deck per notebook, built from its stored outputs; nothing is loaded from the network.
In a deck: <kbd>→</kbd> for the next section, <kbd>↓</kbd> for its next step (or
<kbd>Space</kbd> for both), <kbd>S</kbd> for the speaker view with notes,
<kbd>F</kbd> for full screen, <kbd>Esc</kbd> for an overview of the slides,
<kbd>?</kbd> for every key. The room sees no arrows on the slides; the speaker view has them.</p>
<ul>
{items}
</ul>
</body>
</html>
"""


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


def mono_font_folder() -> Path:
    """DejaVu Sans Mono as shipped by matplotlib (mpl-data/fonts/ttf), with its licence."""
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    if not (folder / f"{MONO_FONTS[0]}.ttf").exists():
        raise FileNotFoundError(f"DejaVu Sans Mono not found in {folder}: is matplotlib there?")
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
    fonts = output / "fonts"
    if not (fonts / f"{MONO_FONTS[0]}.ttf").exists():
        source = mono_font_folder()
        fonts.mkdir(parents=True, exist_ok=True)
        for name in MONO_FONTS:
            shutil.copy(source / f"{name}.ttf", fonts / f"{name}.ttf")
        shutil.copy(source / "LICENSE_DEJAVU", fonts / "LICENSE_DEJAVU")


def prepare(notebook: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """A copy of `notebook` laid out as slides, with speaker notes per section.

    Every cell gets a slide type; cells too long for the slide they continue start a
    sub-slide, and a cell longer than a whole slide is split across sub-slides
    (tools/slide_layout.py), so that no slide cuts or overflows what it shows.
    """
    notebook = copy.deepcopy(notebook)
    notebook.metadata["title"] = title_of(notebook, stem)  # the deck's <title>, and the index's
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
    notes = {
        id(cells[index]): text
        for index, text in section_notes(cells, stem).items()
        if cells[index].metadata["slideshow"]["slide_type"] != "skip"
    }
    laid_out = []
    for cell in paginate(cells):
        laid_out.append(cell)
        if id(cell) in notes:
            note = nbformat.v4.new_markdown_cell(notes[id(cell)])
            note.metadata["slideshow"] = {"slide_type": "notes"}
            laid_out.append(note)
    notebook.cells = laid_out
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
        reveal_width=str(DECK_WIDTH),
        reveal_height=str(DECK_HEIGHT),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def build(notebooks: list[Path], output: Path) -> list[Path]:
    """Write one deck per notebook into `output`; return their paths."""
    output.mkdir(parents=True, exist_ok=True)
    copy_assets(output)
    slides = exporter()
    resources = {
        "course_css": COURSE_CSS.read_text(),
        "course_mathjax": "mathjax",
        "course_margin": MARGIN,
    }
    decks = []
    for path in notebooks:
        notebook = prepare(nbformat.read(path, as_version=4), path.stem)
        body, _ = slides.from_notebook_node(
            notebook, resources={**resources, "metadata": {"name": path.stem}}
        )
        deck = output / f"{path.stem}.slides.html"
        deck.write_text(body)
        decks.append(deck)
    write_index(output)
    return decks


def title_of(notebook: nbformat.NotebookNode, stem: str) -> str:
    """The notebook's `# ` title (its first markdown heading), else its file name."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.splitlines()[0][2:].strip()
    return stem


def write_index(output: Path) -> Path:
    """index.html in `output`: every deck there, by its title, and how to present it."""
    course = README.read_text().splitlines()[0].lstrip("# ").strip()
    items = []
    for deck in sorted(output.glob("*.slides.html")):
        title = re.search(r"<title>(.*?) slides</title>", deck.read_text())
        name = html.escape(html.unescape(title.group(1)) if title else deck.name)
        items.append(f'  <li><a href="{html.escape(deck.name)}">{name}</a></li>')
    page = INDEX.format(course=html.escape(course), items="\n".join(items))
    index = output / "index.html"
    index.write_text(page)
    return index


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--output", type=Path, default=ROOT / "build" / "slides")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or all_notebooks(".ipynb")
    for deck in build(notebooks, args.output):
        print(f"slides: {deck}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
