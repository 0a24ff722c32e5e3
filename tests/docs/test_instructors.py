"""The instructors' guide covers every notebook and quotes only numbers the notebooks print."""

import re
from pathlib import Path

import pytest

from tests.notebooks.checks import DECIMAL, cells, printed_numbers
from tools.build_slides import room_questions
from tools.paths import GUIDE, notebooks

NOTEBOOKS = notebooks(".ipynb")


def guide_sections(text: str) -> dict[str, str]:
    """{two-digit notebook number: the text of its `## NN ...` section of the guide}."""
    sections = {}
    for block in re.split(r"^(?=## )", text, flags=re.MULTILINE):
        number = re.match(r"^## (\d\d)\b", block)
        if number:
            sections[number.group(1)] = block
    return sections


def numbers_not_printed(section: str, notebook: Path) -> list[str]:
    """Decimal numbers `section` quotes that no output of `notebook` prints."""
    return sorted(set(DECIMAL.findall(section)) - printed_numbers(notebook))


def headings(notebook: Path) -> list[str]:
    return [
        line[3:].strip()
        for cell in cells(notebook)
        if cell["cell_type"] == "markdown"
        for line in "".join(cell["source"]).splitlines()
        if line.startswith("## ")
    ]


def test_guide_has_a_section_for_every_notebook():
    sources = notebooks(".py")
    sections = guide_sections(GUIDE.read_text())
    assert sorted(sections) == [path.name[:2] for path in sources]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_number_quoted_for_a_notebook_is_printed_by_it(notebook):
    section = guide_sections(GUIDE.read_text())[notebook.name[:2]]
    assert numbers_not_printed(section, notebook) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_section_says_time_questions_exercises_and_what_to_run(notebook):
    section = guide_sections(GUIDE.read_text())[notebook.name[:2]]
    assert "**Time.**" in section and "**Run live:**" in section
    questions = section.split("### Questions learners ask")[1].split("###")[0]
    assert 3 <= questions.count("\n- *") <= 5, "3-5 questions learners ask, with answers"
    assert "### Exercises" in section


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_room_question_belongs_to_exactly_one_section_heading(notebook):
    """The slides put each question under the heading it names: a stale name would drop it."""
    questions = room_questions(notebook.stem, GUIDE)
    assert questions, "no Ask the room list for this notebook"
    names = headings(notebook)
    wrong = {
        phrase: matching
        for phrase in questions
        if len(matching := [name for name in names if phrase.lower() in name.lower()]) != 1
    }
    assert wrong == {}, f"each phrase must match one of {names}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_numbered_section_has_a_question_for_the_room(notebook):
    phrases = [phrase.lower() for phrase in room_questions(notebook.stem, GUIDE)]
    numbered = [name for name in headings(notebook) if re.match(r"\d+\.", name)]
    assert numbered, "no numbered sections"
    assert [name for name in numbered if not any(p in name.lower() for p in phrases)] == []


def test_a_number_the_notebook_does_not_print_is_caught(tmp_path):
    notebook = NOTEBOOKS[2]
    printed = sorted(printed_numbers(notebook))
    assert printed, f"{notebook.name} prints no decimal number to test against"
    section = f"## 02 · test\n\nThe MSE is {printed[0]}, not 123.456.\n"
    assert numbers_not_printed(section, notebook) == ["123.456"]


def test_guide_sections_split_on_notebook_headings_only():
    text = "# Title\n\n## Before\n\n1.5 x\n\n## 00 · A\n\nzero 0.1\n\n## 01 · B\n\n### Sub\none\n"
    sections = guide_sections(text)
    assert sorted(sections) == ["00", "01"]
    assert "0.1" in sections["00"] and "1.5" not in sections["00"]
    assert "### Sub" in sections["01"]
