"""Checks on the committed notebooks that nbval alone cannot make.

nbval compares stored outputs with fresh ones, but it cannot see a `.py` edited without
re-running its `.ipynb`, and it compares nothing for a cell that was never executed.
"""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

NOTEBOOK_NAME = re.compile(r"^(\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*$")
JUPYTEXT = Path(sys.executable).with_name("jupytext")


def drift(source: Path) -> str:
    """The diff between `source` (.py) and its .ipynb converted back to percent format.

    An empty string means the pair is in sync. Uses the jupytext.toml beside them.
    """
    notebook = source.with_suffix(".ipynb")
    converted = subprocess.run(
        [str(JUPYTEXT), "--quiet", "--to", "py:percent", "-o", "-", str(notebook)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result = subprocess.run(
        ["diff", str(source), "-"], input=converted, capture_output=True, text=True
    )
    return result.stdout


def unexecuted_cells(notebook: Path) -> list[int]:
    """Indices of the non-empty code cells that have no execution count."""
    cells = json.loads(notebook.read_text())["cells"]
    return [
        index
        for index, cell in enumerate(cells)
        if cell["cell_type"] == "code"
        and "".join(cell["source"]).strip()
        and cell.get("execution_count") is None
    ]


def numbering_problems(folder: Path) -> list[str]:
    """What is wrong with the names of the notebooks in `folder`, if anything.

    Notebooks are `NN_topic.py` beside `NN_topic.ipynb`, numbered 00, 01, ... with no gap
    and no number used twice.
    """
    problems = []
    stems = sorted(
        {path.stem for path in folder.glob("*.py")} | {p.stem for p in folder.glob("*.ipynb")}
    )
    numbers = []
    for stem in stems:
        match = NOTEBOOK_NAME.match(stem)
        if not match:
            problems.append(f"{stem}: name is not NN_topic (two digits, lowercase words)")
            continue
        numbers.append(int(match.group(1)))
        for suffix in (".py", ".ipynb"):
            if not (folder / f"{stem}{suffix}").exists():
                problems.append(f"{stem}: {stem}{suffix} is missing")
    duplicates = sorted({n for n in numbers if numbers.count(n) > 1})
    problems += [f"number {n:02d} is used by more than one notebook" for n in duplicates]
    missing = sorted(set(range(max(numbers, default=-1) + 1)) - set(numbers))
    problems += [f"number {n:02d} is missing" for n in missing]
    return problems


# A decimal number as prose quotes a result: 0.342, 1.06 (in "1.06x"), 2.5. Not part of
# a longer token such as a version (3.15.1), an identifier (h5.2) or a number with a sign.
DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.]*\d)")


def cells(notebook: Path) -> list[dict]:
    """The cells of a stored .ipynb, as JSON."""
    return json.loads(notebook.read_text())["cells"]


def _output_text(cell: dict) -> str:
    parts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append("".join(output["text"]))
        else:
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def printed_numbers(notebook: Path) -> set[str]:
    """Every decimal number (as DECIMAL reads one) that the notebook's stored outputs print."""
    return {n for cell in cells(notebook) for n in DECIMAL.findall(_output_text(cell))}


def quoted_numbers_not_printed(notebook: Path, allowed: set[str] = frozenset()) -> list[str]:
    """Decimal numbers that markdown cells quote but no output of the notebook prints.

    Prose should take a computed number from an output, not from memory: a number typed
    in goes stale when the code changes. `allowed` holds constants and published anchors.
    """
    quoted = [
        number
        for cell in cells(notebook)
        if cell["cell_type"] == "markdown"
        for number in DECIMAL.findall("".join(cell["source"]))
    ]
    return sorted(set(quoted) - printed_numbers(notebook) - set(allowed))


def noisy_outputs(notebook: Path) -> list[str]:
    """Stored outputs a learner would read as a failure: stderr streams, warnings."""
    problems = []
    for index, cell in enumerate(cells(notebook)):
        for output in cell.get("outputs", []):
            if output.get("name") == "stderr":
                problems.append(f"cell {index}: stderr: {''.join(output['text'])[:80]!r}")
            elif "WARNING" in _output_text({"outputs": [output]}):
                problems.append(f"cell {index}: prints a WARNING")
    return problems


def long_code_cells(notebook: Path, limit: int = 30) -> list[str]:
    """Code cells with more than `limit` non-blank lines: one idea per cell, readable."""
    lengths = {
        index: sum(1 for line in "".join(cell["source"]).splitlines() if line.strip())
        for index, cell in enumerate(cells(notebook))
        if cell["cell_type"] == "code"
    }
    return [f"cell {index}: {n} lines" for index, n in lengths.items() if n > limit]


def stale_jupytext_settings(notebook: Path, toml: Path) -> list[str]:
    """Filters stored in the .ipynb that differ from jupytext.toml's.

    jupytext prefers a notebook's own stored filters to the toml: a stale
    `cell_metadata_filter = "-all"` there silently drops the solution tags and slide types
    from the .py the next time it is written.
    """
    wanted = dict(re.findall(r'^(\w+_metadata_filter) = "([^"]*)"', toml.read_text(), re.M))
    stored = json.loads(notebook.read_text())["metadata"].get("jupytext", {})
    return [
        f"{key}: {stored[key]!r}, jupytext.toml says {value!r}"
        for key, value in wanted.items()
        if key in stored and stored[key] != value
    ]


def unfolded_solutions(notebook: Path) -> list[str]:
    """Solution cells a learner could read without meaning to.

    A solution cell (tag "solution") must start collapsed; a code solution also hides its
    output, and a model answer sits inside <details>, because JupyterLab un-collapses a
    markdown cell as soon as it is run (Run All would show every answer).
    """
    problems = []
    for index, cell in enumerate(cells(notebook)):
        if "solution" not in cell["metadata"].get("tags", []):
            continue
        hidden = cell["metadata"].get("jupyter", {})
        if not hidden.get("source_hidden"):
            problems.append(f"cell {index}: source not collapsed")
        if cell["cell_type"] == "code" and not hidden.get("outputs_hidden"):
            problems.append(f"cell {index}: output not collapsed")
        if cell["cell_type"] == "markdown" and not "".join(cell["source"]).startswith("<details"):
            problems.append(f"cell {index}: model answer not inside <details>")
    return problems


def long_lines(source: Path, limit: int = 100) -> list[str]:
    """Lines of a notebook's .py longer than `limit`, except jupytext's `# %%` cell markers.

    A marker carries the cell's metadata (slide type, tags) and cannot be wrapped.
    """
    return [
        f"line {number}: {len(line)} characters"
        for number, line in enumerate(source.read_text().splitlines(), start=1)
        if len(line) > limit and not line.startswith("# %%")
    ]


TOLERANCE_TAG = "nbval-ignore-output"
"""The cell tag with which nbval skips comparing a cell's output: the cell must assert its band."""
NBVAL_MARKERS = re.compile(r"^\s*#\s*NBVAL_\w+", re.MULTILINE)


def tolerance_cells(notebook: Path) -> dict[str, list[str]]:
    """{first line of each code cell tagged TOLERANCE_TAG: the `assert` lines it holds}.

    nbval does not compare such a cell's output, so its own asserts are the comparison:
    a cell with no assert would compare nothing at all.
    """
    found = {}
    for cell in cells(notebook):
        if cell["cell_type"] == "code" and TOLERANCE_TAG in cell["metadata"].get("tags", []):
            lines = "".join(cell["source"]).splitlines()
            code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
            asserts = [line.strip() for line in code if line.lstrip().startswith("assert ")]
            found[code[0] if code else ""] = asserts
    return found


def other_nbval_exemptions(notebook: Path) -> list[str]:
    """Cells nbval would skip or not compare by any means other than TOLERANCE_TAG."""
    problems = []
    for index, cell in enumerate(cells(notebook)):
        tags = set(cell["metadata"].get("tags", [])) - {TOLERANCE_TAG}
        problems += [f"cell {index}: tag {tag}" for tag in sorted(tags) if tag.startswith("nbval")]
        if cell["cell_type"] == "code" and NBVAL_MARKERS.search("".join(cell["source"])):
            problems.append(f"cell {index}: an NBVAL_ comment")
    return problems


def notebook_function(source: Path, name: str, namespace: dict | None = None):
    """The function `name` that a notebook's .py defines at top level, compiled on its own.

    For a notebook's teaching copy of a package helper: a test can call it beside the
    package's. `namespace` holds the globals it reads (`{"np": numpy}`).
    """
    tree = ast.parse(source.read_text())
    found = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
    if len(found) != 1:
        raise ValueError(f"{source.name} defines {name} {len(found)} times at top level, not once")
    scope = dict(namespace or {})
    exec(compile(ast.Module(body=found, type_ignores=[]), str(source), "exec"), scope)
    return scope[name]
