"""Checks on the committed notebooks that nbval alone cannot make.

nbval compares stored outputs with fresh ones, but it cannot see a `.py` edited without
re-running its `.ipynb`, and it compares nothing for a cell that was never executed.
"""

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
