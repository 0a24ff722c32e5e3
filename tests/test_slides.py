"""Slides: slide metadata from a notebook's structure, and offline reveal.js decks."""

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
from tools.offline import external_references, external_references_in_folder

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
JUPYTEXT = Path(sys.executable).with_name("jupytext")

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
    source = ROOT / "notebooks" / "00_welcome.py"
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
