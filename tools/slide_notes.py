"""Speaker notes for the decks, generated from the notebook and the guide (never typed).

Each `##` section of a notebook gets notes (press S in a deck):

- a numbered section: the lines with numbers its code cells printed (from the stored
  outputs) and the question to ask the room, from INSTRUCTORS.md's "Ask the room" lists;
- Summary: its points, one line each, and the sections they come from;
- Exercises: each exercise's title (what it asks, whether a check cell marks it), and
  where the guide says what each one teaches.

tools/build_slides.py puts them into each deck, after the section's heading.
"""

from __future__ import annotations

import re
from pathlib import Path

from tools.paths import GUIDE

NUMBER = re.compile(r"\d+\.\d+")
ANSI = re.compile(r"\x1b\[[0-9;]*m")
SUMMARY_LINE = re.compile(r"params:|[│┃━─]")
HEADING = re.compile(r"^##\s+(.+)$", re.MULTILINE)
SECTION = re.compile(r"^\d+\.\s")
EXERCISE = re.compile(r"^###\s+(Exercise\b.+)$", re.MULTILINE)
LIST_ITEM = re.compile(r"^(?:[-*+]|\d+\.)\s+")
MAX_NOTE_LINES = 8
POINT_WORDS = 14  # a summary point in the notes: its first clause, at most this many words


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


def guide_heading(stem: str, guide: Path = GUIDE) -> str | None:
    """The `## NN ...` heading of notebook `stem` in the guide, if there is one."""
    if not guide.exists():
        return None
    for line in guide.read_text().splitlines():
        if line.startswith("## ") and line[3:].lstrip().startswith(stem[:2]):
            return line[3:].strip()
    return None


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


def list_items(markdown: str) -> list[str]:
    """The top-level items of the markdown lists in `markdown`, each on one line."""
    items: list[str] = []
    for line in markdown.splitlines():
        if LIST_ITEM.match(line):
            items.append(LIST_ITEM.sub("", line).strip())
        elif items and line.startswith((" ", "\t")) and line.strip():
            items[-1] += " " + line.strip()
        elif not line.strip() or line.startswith("#"):
            continue
        elif items:
            items.append("")  # a paragraph ends the list
    return [item for item in items if item]


def first_clause(text: str, words: int = POINT_WORDS) -> str:
    """The opening of `text`, brackets left out, up to its first colon, semicolon or full
    stop (at least three words in), cut at `words` words."""
    plain = re.sub(r"[*_`]", "", text)
    plain = re.sub(r"\s*\([^()]*\)", "", plain)
    cut = re.search(r"(?<=\S{2})(?::\s|;\s|\.\s|\.$)", plain)
    if cut and len(plain[: cut.start()].split()) >= 3:
        plain = plain[: cut.start()]
    kept = plain.split()
    return " ".join(kept[:words]) + (" ..." if len(kept) > words else "")


def summary_notes(text: str, sections: list[str]) -> list[str]:
    """Notes for a Summary: its points in one line each, and the sections they recap."""
    points = list_items(text)
    if not points:
        return []
    parts = [f"**{len(points)} points to say in your own words** (the slide has them in full):\n"]
    parts += [f"- {first_clause(point)}" for point in points]
    if sections:
        parts.append(f"\n**They recap:** {' · '.join(sections)}")
    return parts


def exercise_notes(text: str, stem: str) -> list[str]:
    """Notes for Exercises: each exercise's title, and where the guide says what it teaches."""
    titles = EXERCISE.findall(text) or [first_clause(item) for item in list_items(text)]
    if not titles:
        return []
    checked = sum("checked" in title for title in titles)
    count = f"**{len(titles)} exercises**"
    if checked:
        count += f" ({checked} with a check cell that says what is wrong)"
    parts = [f"{count}:\n", *[f"- {title.strip()}" for title in titles]]
    heading = guide_heading(stem)
    if heading:
        parts.append(f"\n**What each one teaches:** INSTRUCTORS.md, {heading}, Exercises.")
    return parts


def section_notes(cells: list[dict], stem: str) -> dict[int, str]:
    """{index of a `##` heading cell: markdown of its speaker notes}."""
    questions = room_questions(stem)
    notes: dict[int, str] = {}
    sections = [
        HEADING.search(cell["source"]).group(1).strip()
        for cell in cells
        if cell["cell_type"] == "markdown"
        and HEADING.search(cell["source"])
        and SECTION.match(HEADING.search(cell["source"]).group(1))
    ]
    heading_at = None
    numbers: list[str] = []
    texts: list[str] = []

    def close() -> None:
        if heading_at is None:
            return
        heading = HEADING.search(cells[heading_at]["source"]).group(1).strip()
        parts = []
        if heading.lower().startswith("summary"):
            parts += summary_notes("\n\n".join(texts), sections)
        elif heading.lower().startswith("exercises"):
            parts += exercise_notes("\n\n".join(texts), stem)
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
        solution = "solution" in cell["metadata"].get("tags", [])
        if cell["cell_type"] == "markdown" and HEADING.search(cell["source"]):
            close()
            heading_at, numbers = index, []
            texts = [cell["source"][HEADING.search(cell["source"]).end() :]]
        elif cell["cell_type"] == "markdown" and not solution:
            texts.append(cell["source"])
        elif cell["cell_type"] == "code" and not solution:
            numbers += _output_lines(cell)
    close()
    return notes
