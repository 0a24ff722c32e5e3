"""Slides: slide metadata from a notebook's structure, and offline reveal.js decks."""

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools.add_slide_metadata import add_slide_metadata, parse_cells, update_ipynb
from tools.build_slides import build, prepare, section_notes
from tools.check_slides import MIN_CODE_PX, DeckReport, SlideReport
from tools.offline import external_references, external_references_in_folder
from tools.paths import NOTEBOOK_DIR, ROOT, notebooks
from tools.slide_layout import (
    CODE_LINE_CHARACTERS,
    CONTINUED_CODE_TAG,
    CONTINUED_TAG,
    DECK_HEIGHT,
    DECK_WIDTH,
    HIDE_CODE_TAG,
    MARGIN,
    PROJECTOR,
    Heights,
    Layout,
    output_text,
    paginate,
    scale,
    slide_room,
    slides_of,
)
from tools.slide_notes import exercise_notes, summary_notes

NOTEBOOKS = notebooks(".ipynb")
JUPYTEXT = Path(sys.executable).with_name("jupytext")
COURSE_CSS = ROOT / "slides" / "course.css"

SOURCE = """# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 09 · A title
#
# Why it matters.

# %% [markdown]
# ## Setup

# %%
from course_utils import setup

# %% [markdown]
# ## 1. A section
#
# What the next code does.

# %%
print(1)

# %%
print(2)

# %% [markdown]
# **Ask the room:** what will it print?

# %% [markdown]
# A step further.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 (coding, checked): a function

# %%
def my_function(x):
    raise NotImplementedError("Exercise 1: replace this line with your code")

# %%
check_my_function(my_function)

# %% [markdown]
# ## Solutions

# %% jupyter={"source_hidden": true} tags=["solution"]
def my_function_solution(x):
    return x
"""
EXPECTED = [
    "slide",  # title
    "skip",  # Setup heading
    "skip",  # imports
    "slide",  # 1. A section
    "-",  # code under its prose
    "subslide",  # code after code: its own step
    "notes",  # Ask the room
    "subslide",  # a new step of prose
    "slide",  # Exercises
    "skip",  # the learner's stub
    "skip",  # the check cell
    "skip",  # Solutions heading
    "skip",  # a solution
]


def slide_types_of(source: str) -> list[str]:
    return [cell.metadata["slideshow"]["slide_type"] for cell in parse_cells(source.split("\n"))]


def test_slide_types_follow_the_notebook_structure():
    assert slide_types_of(add_slide_metadata(SOURCE)) == EXPECTED


def test_adding_slide_metadata_is_idempotent_and_keeps_other_metadata():
    once = add_slide_metadata(SOURCE)
    assert add_slide_metadata(once) == once
    assert (
        '# %% jupyter={"source_hidden": true} slideshow={"slide_type": "skip"} '
        'tags=["solution"]' in once
    )
    # Only `# %%` lines change.
    changed = [a for a, b in zip(SOURCE.split("\n"), once.split("\n"), strict=True) if a != b]
    assert changed and all(line.startswith("# %%") for line in changed)


def test_an_instructors_choice_is_kept_unless_forced():
    chosen = SOURCE.replace("# %%\nprint(2)", '# %% slideshow={"slide_type": "fragment"}\nprint(2)')
    assert slide_types_of(add_slide_metadata(chosen))[5] == "fragment"
    assert slide_types_of(add_slide_metadata(chosen, force=True))[5] == "subslide"


def test_a_long_step_gets_its_own_subslide():
    long_prose = "\n".join(["# A line of prose."] * 18)
    source = SOURCE.replace("# What the next code does.", long_prose)
    source = source.replace("print(1)", "\n".join(["print(1)"] * 6))
    assert slide_types_of(add_slide_metadata(source))[4] == "subslide"


def test_a_file_without_cells_is_refused():
    with pytest.raises(ValueError, match="no `# %%` cell markers"):
        add_slide_metadata("print('a plain script')\n")


def test_metadata_reaches_the_ipynb_without_changing_outputs(tmp_path):
    """The real workflow on a copy: add metadata to the .py, carry it into the .ipynb."""
    source = NOTEBOOK_DIR / "00_welcome.py"
    for path in (source, source.with_suffix(".ipynb"), source.with_name("jupytext.toml")):
        shutil.copy(path, tmp_path / path.name)
    copy = tmp_path / source.name
    before = json.loads(copy.with_suffix(".ipynb").read_text())["cells"]
    copy.write_text(add_slide_metadata(copy.read_text()))
    update_ipynb(copy)
    after = json.loads(copy.with_suffix(".ipynb").read_text())["cells"]
    assert all("slide_type" in cell["metadata"].get("slideshow", {}) for cell in after)
    outputs = {"".join(c["source"]): c.get("outputs") for c in before}
    kept = [c for c in after if "".join(c["source"]) in outputs]
    assert kept and all(c.get("outputs") == outputs["".join(c["source"])] for c in kept)
    back = subprocess.run(
        [
            str(JUPYTEXT),
            "--quiet",
            "--to",
            "py:percent",
            "-o",
            "-",
            str(copy.with_suffix(".ipynb")),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert back == copy.read_text(), "the .py and its .ipynb drifted apart"


def test_prepare_skips_solutions_and_adds_notes_with_printed_numbers():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# 02 · Title"),
        nbformat.v4.new_markdown_cell("## 2. The global mean\n\nThe simplest guess."),
        nbformat.v4.new_code_cell("print(mse)"),
        nbformat.v4.new_markdown_cell("## Solutions"),
        nbformat.v4.new_code_cell("print('ok')", metadata={"tags": ["solution"]}),
    ]
    notebook.cells[2].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="test MSE 0.932\n"),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
    ]
    prepared = prepare(notebook, "02_svd_baseline")
    kinds = [cell.metadata["slideshow"]["slide_type"] for cell in prepared.cells]
    assert kinds == ["slide", "slide", "notes", "-", "skip", "skip"]
    note = prepared.cells[2].source
    assert "`test MSE 0.932`" in note and "**Ask the room:**" in note
    assert prepared.cells[3].outputs == notebook.cells[2].outputs[:1]  # stderr dropped
    assert "notes" not in [
        c.metadata.get("slideshow", {}).get("slide_type") for c in notebook.cells
    ]


def test_external_references_are_found_and_prose_links_are_not():
    page = """<script src="https://cdn.example/reveal.js"></script>
    <link rel="stylesheet" href="http://cdn.example/a.css">
    <style>@import url(https://fonts.example/css?family=Lato);</style>
    <script type="module">import mermaid from 'https://cdn.example/m.mjs';</script>
    <a href="https://revealjs.com">reveal.js</a> <script src="reveal.js/dist/reveal.js"></script>"""
    found = external_references(page)
    assert len(found) == 4, found
    assert not any("revealjs.com" in item for item in found)


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    output = tmp_path_factory.mktemp("slides")
    return output, build(NOTEBOOKS, output)


def test_one_deck_per_notebook(decks):
    output, built = decks
    assert [deck.name for deck in built] == [f"{path.stem}.slides.html" for path in NOTEBOOKS]
    for deck in built:
        assert deck.read_text().count("<section") >= 3, deck.name


def test_decks_load_nothing_from_the_network(decks):
    output, built = decks
    assert external_references_in_folder(output) == {}
    for deck in built:
        text = deck.read_text()
        assert 'src="reveal.js/dist/reveal.js"' in text
        assert 'src="mathjax/MathJax.js' in text
        assert "require.js" not in text and "jquery" not in text.lower()
    assert (output / "reveal.js" / "LICENSE").exists()
    assert (output / "mathjax" / "LICENSE").exists()


def test_every_numbered_section_has_speaker_notes(decks):
    output, built = decks
    for path, deck in zip(NOTEBOOKS, built, strict=True):
        notebook = nbformat.read(path, as_version=4)
        sections = [
            c
            for c in notebook.cells
            if c.cell_type == "markdown" and re.search(r"^## \d+\.", c.source, re.MULTILINE)
        ]
        notes = deck.read_text().count('<aside class="notes">')
        assert notes >= len(sections), f"{deck.name}: {notes} notes, {len(sections)} sections"
        assert "Ask the room:" in deck.read_text(), deck.name


def test_speaker_notes_quote_only_printed_lines():
    path = NOTEBOOKS[1]
    cells = nbformat.read(path, as_version=4).cells
    printed = "\n".join(
        "".join(o.get("text", "")) for c in cells if c.cell_type == "code" for o in c.outputs
    )
    quoted = re.findall(r"^- `(.*)`$", "\n".join(section_notes(cells, path.stem).values()), re.M)
    assert quoted, "no key numbers in the notes"
    assert all(line[:100] in printed for line in quoted)


def test_solutions_are_not_in_the_decks(decks):
    output, built = decks
    for path, deck in zip(NOTEBOOKS, built, strict=True):
        cells = nbformat.read(path, as_version=4).cells
        solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
        text = deck.read_text()
        for cell in solutions:
            names = re.findall(r"def (\w+_solution)\(", cell.source)
            assert not any(name in text for name in names), f"{deck.name}: {names}"


def test_the_index_lists_every_deck_by_its_title(decks):
    output, built = decks
    index = (output / "index.html").read_text()
    for path, deck in zip(NOTEBOOKS, built, strict=True):
        cells = nbformat.read(path, as_version=4).cells
        title = next(c.source for c in cells if c.cell_type == "markdown").splitlines()[0][2:]
        assert f'<a href="{deck.name}">{html.escape(title)}</a>' in index, deck.name
    assert external_references(index) == []


# What a projector shows, from the numbers (`make slides-check` measures it in a browser).


def test_reveal_scales_the_deck_to_a_1024x768_projector_by_its_own_formula(decks):
    # reveal.js: min(screen width and height less the margin, over the deck's width and height)
    expected = min(1024 * (1 - MARGIN) / DECK_WIDTH, 768 * (1 - MARGIN) / DECK_HEIGHT)
    assert scale(PROJECTOR) == pytest.approx(expected)
    assert scale((1920, 1080)) > scale(PROJECTOR) >= 1.0
    output, built = decks
    for deck in built:
        text = deck.read_text()
        assert f"width: {DECK_WIDTH}," in text and f"height: {DECK_HEIGHT}," in text, deck.name
        assert f"margin: {MARGIN}," in text, deck.name
        # The arrows would sit on the slide's bottom-right corner: only the speaker sees them.
        assert 'controls: "speaker-only",' in text, deck.name
        assert COURSE_CSS.read_text() in text, f"{deck.name} was not built with slides/course.css"


def test_code_and_every_other_font_are_16_px_or_more_on_a_projector():
    layout = Layout.from_css()
    projector = scale(PROJECTOR)
    assert layout.code_size * projector >= MIN_CODE_PX
    css = COURSE_CSS.read_text()
    sizes = [
        float(px) for px in re.findall(r"(?:font-size|--slide-[a-z-]*size):\s*([\d.]+)px", css)
    ]
    assert len(sizes) >= 5 and min(sizes) * projector >= MIN_CODE_PX, sizes
    # Sizes relative to the text (headings) only ever make it larger.
    relative = [float(em) for em in re.findall(r"font-size:\s*([\d.]+)em", css)]
    assert relative and min(relative) >= 1.0, relative


def test_a_100_character_line_of_code_fits_across_the_slide():
    layout = Layout.from_css()
    assert layout.code_characters >= CODE_LINE_CHARACTERS
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        widest = max(
            len(line) for c in cells if c.cell_type == "code" for line in c.source.split("\n")
        )
        assert widest <= layout.code_characters, path.stem


def test_no_box_in_a_deck_scrolls_or_cuts_its_content():
    css = COURSE_CSS.read_text()
    assert not re.search(r"overflow(?:-[xy])?:\s*(?:auto|scroll|hidden|clip)", css)
    # nbconvert's own style sheet scrolls code and outputs: the course's turns that off.
    code_rule = re.search(r"\.reveal pre,[^{]*\{([^}]*)\}", css).group(1)
    assert "overflow: visible" in code_rule and "max-height: none" in code_rule
    heights = [m for m in re.findall(r"max-height:\s*([^;]+);", css) if m.strip() != "none"]
    assert all("plot-height" in value for value in heights), heights  # only plots are capped


@pytest.fixture(scope="module")
def prepared():
    return {path.stem: prepare(nbformat.read(path, as_version=4), path.stem) for path in NOTEBOOKS}


def test_every_slide_fits_its_height(prepared):
    heights = Heights()
    room = slide_room(heights.layout)
    for stem, notebook in prepared.items():
        for slide in slides_of(notebook.cells):
            used = sum(heights.cell(cell) for cell in slide)
            used += heights.layout.cell_gap * (len(slide) - 1)
            first = slide[0].source.strip().split("\n")[0][:60]
            assert used <= room, f"{stem}: the slide starting {first!r} needs {used:.0f} px"


def _shown(cells: list, ids: set[str]) -> dict:
    """{cell id: (source, output text)} of the cells a deck shows, parts joined together
    (part 2 of cell `id` is `id-2`)."""
    shown: dict = {}
    for cell in cells:
        if cell.metadata.get("slideshow", {}).get("slide_type") in ("skip", "notes"):
            continue
        key = cell.id if cell.id in ids else cell.id.rsplit("-", 1)[0]
        source, text = shown.get(key, ("", ""))
        tags = cell.metadata.get("tags", [])
        if key == cell.id or CONTINUED_CODE_TAG in tags:
            source = f"{source}\n{cell.source}" if source else cell.source
        text += "".join(output_text(o) for o in cell.get("outputs", []))
        shown[key] = (source, text)
    return shown


def test_decks_keep_every_cell_and_every_output_line(prepared):
    """Splitting a slide never drops a cell, a line of code or a line of output."""
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        shown = _shown(prepared[path.stem].cells, {cell.id for cell in notebook.cells})
        for cell in notebook.cells:
            kind = cell.metadata.get("slideshow", {}).get("slide_type")
            if kind == "skip" or "solution" in cell.metadata.get("tags", []):
                continue
            assert cell.id in shown, f"{path.stem}: cell {cell.id} is not in the deck"
            source, text = shown[cell.id]
            assert source.rstrip("\n") == cell.source.rstrip("\n"), f"{path.stem}: {cell.id}"
            outputs = [o for o in cell.get("outputs", []) if o.get("name") != "stderr"]
            assert text == "".join(output_text(o) for o in outputs), f"{path.stem}: {cell.id}"


def _printed(lines: list[str]):
    return nbformat.v4.new_output("stream", name="stdout", text="\n".join(lines) + "\n")


def test_an_output_longer_than_a_slide_is_split_before_a_new_record():
    lines = []
    for user in (1, 2, 3):
        lines += [f"user {user}: liked A, B, C", "  hidden latest: D"]
        lines += [f"  {rank:2d}. A movie ({1990 + rank})" for rank in range(1, 13)]
    cell = nbformat.v4.new_code_cell("for user in users:\n    show(user)")
    cell.outputs = [_printed(lines)]
    cell.metadata["slideshow"] = {"slide_type": "slide"}
    heights = Heights()
    parts = paginate([cell], heights)
    assert len(parts) == 2
    assert "".join(output_text(o) for p in parts for o in p.outputs) == "\n".join(lines) + "\n"
    assert output_text(parts[1].outputs[0]).startswith("user 3:")  # users 1 and 2 fit first
    assert parts[1].metadata["slideshow"]["slide_type"] == "subslide"
    assert {HIDE_CODE_TAG, CONTINUED_TAG} <= set(parts[1].metadata["tags"])
    assert parts[1].id == f"{cell.id}-2"
    assert all(heights.cell(part) <= slide_room(heights.layout) for part in parts)


def test_code_longer_than_a_slide_is_split_at_a_blank_line():
    first = [f"a{i} = {i}" for i in range(25)]
    second = [f"b{i} = {i}" for i in range(15)]
    cell = nbformat.v4.new_code_cell("\n".join([*first, "", *second]))
    cell.outputs = [_printed(["done 0.5"])]
    cell.metadata["slideshow"] = {"slide_type": "subslide"}
    parts = paginate([cell])
    assert [part.source.strip() for part in parts] == ["\n".join(first), "\n".join(second)]
    assert CONTINUED_CODE_TAG in parts[1].metadata["tags"]
    assert parts[0].outputs == [] and output_text(parts[1].outputs[0]) == "done 0.5\n"


def test_a_cell_that_fits_a_slide_of_its_own_moves_to_one():
    prose = nbformat.v4.new_markdown_cell("\n\n".join(["A paragraph of prose."] * 8))
    prose.metadata["slideshow"] = {"slide_type": "slide"}
    code = nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(24)))
    code.metadata["slideshow"] = {"slide_type": "-"}
    laid_out = paginate([prose, code])
    assert laid_out == [prose, code]
    assert code.metadata["slideshow"]["slide_type"] == "subslide"


def test_summary_and_exercises_slides_have_notes(prepared):
    for stem, notebook in prepared.items():
        cells = notebook.cells
        for index, cell in enumerate(cells):
            heading = cell.cell_type == "markdown" and cell.source.startswith(
                ("## Summary", "## Exercises")
            )
            if heading and cell.metadata["slideshow"]["slide_type"] != "skip":
                note = cells[index + 1]
                assert note.metadata["slideshow"]["slide_type"] == "notes", (stem, cell.source)
                assert len(note.source.splitlines()) >= 3, (stem, note.source)


def test_summary_notes_come_from_its_points():
    text = "- Biases explain little (MSE 0.828): taste is interaction.\n- SVD recovers\n  much."
    notes = "\n".join(summary_notes(text, ["1. The data", "2. SVD"]))
    assert "- Biases explain little" in notes and "- SVD recovers much" in notes
    assert "**2 points" in notes and "1. The data · 2. SVD" in notes
    # No number in the notes that the summary does not print.
    assert set(re.findall(r"\d+\.\d+", notes)) <= set(re.findall(r"\d+\.\d+", text))


def test_exercise_notes_list_each_exercise_and_count_the_checked_ones():
    text = "### Exercise 1 (coding, checked): a thing\n\nDo it.\n\n### Exercise 2: think"
    notes = "\n".join(exercise_notes(text, "02_svd_baseline"))
    assert "**2 exercises** (1 with a check cell" in notes
    assert "- Exercise 1 (coding, checked): a thing" in notes and "- Exercise 2: think" in notes
    listed = "\n".join(exercise_notes("1. Count the cells.\n2. Name two signals.", "00_welcome"))
    assert "**2 exercises**:" in listed and "- Count the cells" in listed


def test_the_browser_check_reports_small_code_cut_boxes_and_overflow():
    def slide(number, code_px, cut=(), past=(), covered=()):
        code = {"px": code_px, "sample": "x = 1"}
        return SlideReport(
            number, f"0/{number}", "t", 1.0, code, None, list(cut), list(past), list(covered)
        )

    box = {"element": "pre.", "shown": [900, 400], "content": [900, 700], "sample": "user 1"}
    report = DeckReport(
        "d.slides.html",
        PROJECTOR,
        [
            slide(1, 16.0),
            slide(2, 15.4),
            slide(3, 16.1, cut=[box]),
            slide(4, 16.1, past=[{"px": 117.0, "sample": "user 3"}]),
            slide(5, 16.1, covered=['of the catalogue"']),
        ],
    )
    problems = report.problems()
    assert len(problems) == 4
    assert "slide 5" in problems[3] and "under the slide number or arrows" in problems[3]
    assert "slide 2" in problems[0] and "15.4 px" in problems[0]
    assert "slide 3" in problems[1] and "[900, 400] of [900, 700]" in problems[1]
    assert "slide 4" in problems[2] and "117 px past the slide" in problems[2]
    assert report.smallest("code")["px"] == 15.4
