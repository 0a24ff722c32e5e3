"""How much of a slide each cell fills, and how to split what does not fit.

The deck is DECK_WIDTH x DECK_HEIGHT pixels; reveal.js scales it to the screen (`scale`).
The sizes of code, text and plots come from the --slide-* numbers of slides/course.css
(`Layout.from_css`), so the plan and the deck cannot drift apart: `Heights` estimates
what each cell fills (generously: tools/check_slides.py measured every cell in a browser),
and tools/build_slides.py calls `paginate` to give a cell its own sub-slide, or to split a
cell longer than a slide across sub-slides. tests/docs/test_slides.py uses the same numbers to
check, without a browser, that code is 16 px or more on a 1024x768 projector and that
every slide fits; `make slides-check` measures both in Chromium.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, fields

from tools.paths import ROOT

COURSE_CSS = ROOT / "slides" / "course.css"
# 4:3, like a 1024x768 projector: reveal.js scales it by 1.003 there, by 1.41 at 1920x1080.
DECK_WIDTH, DECK_HEIGHT = 980, 735
MARGIN = 0.04  # reveal.js' default: the share of the screen kept around the deck
PROJECTOR = (1024, 768)
MONO_WIDTH = 0.602  # DejaVu Sans Mono's character width, in em (slides/course.css ships it)
CODE_LINE_CHARACTERS = 100  # the notebooks' line limit (tests/notebooks/test_structure.py)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HIDE_CODE_TAG = "slides-hide-code"
LONG_TEXT_TAG = "slides-long-text"
CONTINUED_TAG = "slides-continued"  # the rest of a cell's output (slides/course.css labels it)
CONTINUED_CODE_TAG = "slides-continued-code"


def scale(screen: tuple[int, int] = PROJECTOR) -> float:
    """reveal.js' scale of the deck on a `screen` of (width, height) pixels."""
    width, height = screen
    return min(width * (1 - MARGIN) / DECK_WIDTH, height * (1 - MARGIN) / DECK_HEIGHT)


@dataclass(frozen=True)
class Layout:
    """The --slide-* numbers of slides/course.css, in the deck's pixels (or ratios)."""

    top_padding: float
    code_size: float
    code_line_height: float
    code_padding: float
    text_size: float
    text_line_height: float
    long_text_size: float
    table_size: float
    cell_gap: float
    plot_height: float
    big_plot_height: float

    @classmethod
    def from_css(cls, css: str | None = None) -> Layout:
        css = COURSE_CSS.read_text() if css is None else css
        values = {}
        for item in fields(cls):
            name = "--slide-" + item.name.replace("_", "-")
            found = re.search(rf"{name}:\s*([\d.]+)(px)?;", css)
            if not found:
                raise ValueError(f"slides/course.css does not set {name}")
            values[item.name] = float(found.group(1))
        return cls(**values)

    @property
    def code_line(self) -> float:
        return self.code_size * self.code_line_height

    @property
    def code_characters(self) -> int:
        """How many characters of code fit across the slide."""
        return int((DECK_WIDTH - 2 * self.code_padding) / (MONO_WIDTH * self.code_size))


# Body text is Source Sans Pro (reveal.js' theme font, shipped with the decks): measured,
# its characters average under 0.45 em; TEXT_WIDTH is a little more, to plan on the safe side.
TEXT_WIDTH = 0.45
HEADING_SIZES = {1: 1.6, 2: 1.3, 3: 1.1}  # in em of the text size (slides/course.css)
HEADING_LINE_HEIGHT = 1.2
BLOCK_MARGIN = 12.0  # between paragraphs, lists and headings (slides/course.css)
LIST_INDENT = 40.0
TABLE_ROW = 1.75  # a table row's height, in its font size (padding and border)
MATH_LINES = 2.2  # a display formula, in lines of text
CODE_BORDER = 2.0  # the code box's border, top and bottom
OUTPUTS_MARGIN = 4.0  # between a cell's code and its outputs (slides/course.css)
IMAGE_BASELINE = 6.0  # below a plot: an image sits on the text's baseline


def output_text(output: dict) -> str:
    """The text an output shows: printed text, or a rich output's plain-text form."""
    if output.get("output_type") == "stream":
        text = output.get("text", "")
    else:
        text = output.get("data", {}).get("text/plain", "")
    return ANSI.sub("", "".join(text))


def wrapped_lines(line: str, characters: int) -> int:
    """How many screen lines a line of `characters`-wide wrapped text takes (at least 1)."""
    return max(1, -(-len(line.rstrip()) // characters))


class Heights:
    """Heights, in the deck's pixels, of what a cell shows on a slide."""

    def __init__(self, layout: Layout | None = None):
        self.layout = layout or Layout.from_css()

    def code(self, source: str) -> float:
        lines = source.rstrip("\n").split("\n")
        return 2 * self.layout.code_padding + len(lines) * self.layout.code_line + CODE_BORDER

    def text_output(self, text: str) -> float:
        """Printed text: a pre that wraps anywhere (word-break: break-all) at the slide's edge."""
        text = text.removesuffix("\n")  # a pre does not show its last newline
        width = self.layout.code_characters
        lines = sum(wrapped_lines(line, width) for line in text.split("\n"))
        return 2 * self.layout.code_padding + lines * self.layout.code_line

    def output(self, output: dict, big_plot: bool = False) -> float:
        if "image/png" in output.get("data", {}):
            plot = self.layout.big_plot_height if big_plot else self.layout.plot_height
            return plot + IMAGE_BASELINE
        return self.text_output(output_text(output))

    def code_cell(self, cell: dict) -> float:
        """A code cell: its code (unless hidden), then its outputs."""
        tags = cell.get("metadata", {}).get("tags", [])
        hidden = HIDE_CODE_TAG in tags
        height = 0.0 if hidden else self.code(cell["source"])
        if cell.get("outputs"):
            height += OUTPUTS_MARGIN + sum(self.output(o, hidden) for o in cell["outputs"])
        if CONTINUED_TAG in tags or CONTINUED_CODE_TAG in tags:
            height += self.layout.table_size * self.layout.text_line_height
        return height

    def cell(self, cell: dict) -> float:
        """Any cell, as a slide shows it (markdown in its long-text font when tagged)."""
        if cell["cell_type"] == "code":
            return self.code_cell(cell)
        long = LONG_TEXT_TAG in cell.get("metadata", {}).get("tags", [])
        return self.markdown(cell["source"], self.layout.long_text_size if long else None)

    def markdown(self, source: str, size: float | None = None) -> float:
        """A rough, generous height of rendered markdown at a text `size` (px)."""
        size = size or self.layout.text_size
        line = size * self.layout.text_line_height
        height = 0.0
        for block in _blocks(source):
            kind, text = block
            if kind == "heading":
                level = len(text) - len(text.lstrip("#"))
                em = HEADING_SIZES.get(level, 1.0) * size
                words = text.lstrip("#").strip()
                height += wrapped_lines(words, self._characters(em)) * em * HEADING_LINE_HEIGHT
            elif kind == "code":
                height += self.code(text)
            elif kind == "math":
                height += MATH_LINES * line
            elif kind == "table":
                rows = [row for row in text.split("\n") if not re.match(r"^\s*\|?[\s:|-]+$", row)]
                height += len(rows) * self.layout.table_size * TABLE_ROW
            elif kind == "list":
                characters = self._characters(size, indent=LIST_INDENT)
                for item in re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", text):
                    words = " ".join(part.strip() for part in item.split("\n"))
                    height += wrapped_lines(_visible(words), characters) * line
            else:
                words = " ".join(part.strip() for part in text.split("\n"))
                height += wrapped_lines(_visible(words), self._characters(size)) * line
            height += BLOCK_MARGIN
        return height

    def _characters(self, size: float, indent: float = 0.0) -> int:
        return int((DECK_WIDTH - indent) / (TEXT_WIDTH * size))


def _visible(markdown: str) -> str:
    """Markdown as wide as the reader sees it: no link targets or emphasis marks, and inline
    code (wider letters, padding, words that do not break) counted half as wide again."""
    markdown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    markdown = re.sub(r"`([^`]*)`", lambda code: "x" * round(1.5 * len(code[1]) + 1), markdown)
    return re.sub(r"[*_]", "", markdown)


def _blocks(source: str) -> list[tuple[str, str]]:
    """Split markdown into (kind, text) blocks: heading, code, math, table, list, text."""
    blocks: list[tuple[str, str]] = []
    lines = source.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if line.startswith("#"):
            blocks.append(("heading", line))
            index += 1
            continue
        for kind, start, end in (("code", "```", "```"), ("math", "$$", "$$")):
            if line.strip().startswith(start):
                stop = index + 1
                if not (line.strip() != start and line.strip().endswith(end)):
                    while stop < len(lines) and not lines[stop].strip().endswith(end):
                        stop += 1
                    stop += 1
                body = "\n".join(lines[index + 1 : stop - 1])
                blocks.append((kind, body))
                index = stop
                break
        else:
            stop = index
            while stop < len(lines) and lines[stop].strip() and not lines[stop].startswith("#"):
                stop += 1
            text = "\n".join(lines[index:stop])
            if line.lstrip().startswith("|"):
                kind = "table"
            elif re.match(r"^\s*(?:[-*+]|\d+\.)\s", line):
                kind = "list"
            else:
                kind = "text"
            blocks.append((kind, text))
            index = stop
    return blocks


SLACK = 8.0  # pixels of a slide's height the plan keeps free, for rounding
MIN_PART_LINES = 3  # the fewest output lines worth starting on a slide before moving on


def slide_room(layout: Layout) -> float:
    """The height a slide's cells may fill, in the deck's pixels."""
    return DECK_HEIGHT - layout.top_padding - SLACK


def _slide_type(cell) -> str:
    return cell["metadata"].get("slideshow", {}).get("slide_type", "-")


def slides_of(cells: list) -> list[list]:
    """The cells each slide (or sub-slide) shows, slide by slide: no skipped cells or notes."""
    slides: list[list] = []
    for cell in cells:
        kind = _slide_type(cell)
        if kind in ("skip", "notes"):
            continue
        if kind in ("slide", "subslide") or not slides:
            slides.append([])
        slides[-1].append(cell)
    return slides


def paginate(cells: list, heights: Heights | None = None) -> list:
    """The deck's cells, laid out so that every slide's cells fit on it.

    A cell that would overflow the slide it continues starts a sub-slide of its own; a code
    cell longer than a whole slide is split across sub-slides (its code, then its outputs,
    at a line that starts a new record where possible; each later part says "continued").
    Every cell and every output line is kept, in order. Cells are nbformat nodes (changed
    in place); the returned list holds them and the parts added.
    """
    heights = heights or Heights()
    room = slide_room(heights.layout)
    gap = heights.layout.cell_gap
    laid_out = []
    used = 0.0
    for cell in cells:
        kind = _slide_type(cell)
        if kind in ("skip", "notes"):
            laid_out.append(cell)
            continue
        height = heights.cell(cell)
        if kind in ("slide", "subslide"):
            used = 0.0
        elif used and used + height > room:
            fits_alone = height <= room
            is_code = cell["cell_type"] == "code"
            starts_here = is_code and _first_part_fits(cell, room - used, heights)
            if fits_alone or not starts_here:
                cell["metadata"]["slideshow"]["slide_type"] = "subslide"
                used = 0.0
        if used + height <= room or cell["cell_type"] != "code":
            laid_out.append(cell)
            used += height + gap
            continue
        parts = split_code_cell(cell, room - used, room, heights)
        laid_out += parts
        used = heights.cell(parts[-1]) + gap
    return laid_out


def _first_part_fits(cell, room: float, heights: Heights) -> bool:
    """Whether a code cell's code and a few lines of its first output fit in `room`."""
    hidden = HIDE_CODE_TAG in cell["metadata"].get("tags", [])
    code = 0.0 if hidden else heights.code(cell["source"])
    lines = MIN_PART_LINES * heights.layout.code_line + 2 * heights.layout.code_padding
    return code + OUTPUTS_MARGIN + lines <= room


def split_code_cell(cell, first_room: float, room: float, heights: Heights) -> list:
    """`cell` cut into parts that each fit: the first in `first_room`, the others in `room`."""
    label = heights.layout.table_size * heights.layout.text_line_height  # "(... continued)"
    layout = heights.layout
    code_lines = cell["source"].rstrip("\n").split("\n")
    if HIDE_CODE_TAG in cell["metadata"].get("tags", []):
        code_lines = []
    outputs = list(cell.get("outputs", []))
    parts = []
    current, free, empty = _part(cell, 0, []), first_room, True
    # The code, in chunks of whole lines when it is longer than a slide.
    while code_lines:
        fit = int((free - 2 * layout.code_padding - CODE_BORDER) / layout.code_line)
        if fit >= len(code_lines):
            current["source"] = "\n".join(code_lines)
            free -= heights.code(current["source"])
            empty = False
            break
        cut = max(1, _code_break(code_lines, fit))
        current["source"] = "\n".join(code_lines[:cut])
        parts.append(current)
        code_lines = code_lines[cut:]
        current, free = _part(cell, len(parts), code_lines), room - label
    # The outputs, a printed one cut between lines when it does not fit.
    free -= OUTPUTS_MARGIN
    while outputs:
        output = outputs.pop(0)
        is_plot = "image/png" in output.get("data", {})
        height = heights.output(output, HIDE_CODE_TAG in current["metadata"]["tags"])
        if height <= free or (empty and is_plot):  # a plot alone gets the slide anyway
            current["outputs"].append(output)
            free -= height
            empty = False
            continue
        if not is_plot:
            lines = output_text(output).removesuffix("\n").split("\n")
            fit = _lines_that_fit(lines, free, heights)
            if fit >= MIN_PART_LINES or empty:
                head, tail = _split_output(output, lines, _output_break(lines, max(fit, 1)))
                current["outputs"].append(head)
                output = tail
        outputs.insert(0, output)
        parts.append(current)
        current, empty = _part(cell, len(parts), []), True
        free = room - label - OUTPUTS_MARGIN
    parts.append(current)
    return parts


def _part(cell, index: int, code_lines: list[str]) -> dict:
    """Part `index` of `cell`, with no outputs yet: the cell itself first, then copies that
    say "continued" (showing `code_lines`, or only outputs)."""
    cell["metadata"].setdefault("tags", [])
    if index == 0:
        cell["outputs"] = []
        return cell
    part = copy.deepcopy(cell)
    part["outputs"] = []
    part["metadata"]["slideshow"]["slide_type"] = "subslide"
    tags = [tag for tag in part["metadata"].get("tags", []) if tag != HIDE_CODE_TAG]
    if code_lines:
        part["source"] = "\n".join(code_lines)
        tags.append(CONTINUED_CODE_TAG)
    else:
        tags += [HIDE_CODE_TAG, CONTINUED_TAG]
    part["metadata"]["tags"] = tags
    if part.get("id"):
        part["id"] = f"{cell['id']}-{index + 1}"
    return part


def _lines_that_fit(lines: list[str], free: float, heights: Heights) -> int:
    """How many of `lines` (printed, wrapping at the slide's edge) fit in `free` pixels."""
    budget = (free - 2 * heights.layout.code_padding) / heights.layout.code_line
    used = 0
    for count, line in enumerate(lines):
        used += wrapped_lines(line, heights.layout.code_characters)
        if used > budget:
            return count
    return len(lines)


def _output_break(lines: list[str], fit: int) -> int:
    """Where to cut printed lines at most `fit` long: before the last line that starts a new
    record (unindented after an indented or blank line) in the second half, else at `fit`."""
    for index in range(fit, max(MIN_PART_LINES, fit // 2) - 1, -1):
        line, before = lines[index], lines[index - 1]
        starts = line.strip() and not line[0].isspace()
        if starts and (not before.strip() or before[0].isspace()):
            return index
    return fit


def _code_break(lines: list[str], fit: int) -> int:
    """Where to cut code at most `fit` lines long: after the last blank line in the second
    half (between two functions, say), else at `fit`."""
    for index in range(fit, max(1, fit // 2) - 1, -1):
        if not lines[index - 1].strip() and lines[index].strip():
            return index
    return fit


def _split_output(output: dict, lines: list[str], fit: int) -> tuple[dict, dict]:
    """A text output cut after `fit` lines, as two outputs of the same kind."""
    head, tail = copy.deepcopy(output), copy.deepcopy(output)
    first, rest = "\n".join(lines[:fit]) + "\n", "\n".join(lines[fit:]) + "\n"
    if output.get("output_type") == "stream":
        head["text"], tail["text"] = first, rest
    else:  # a rich output: the plain text is what the slide shows
        head["data"] = {"text/plain": first}
        tail["data"] = {"text/plain": rest}
    return head, tail
