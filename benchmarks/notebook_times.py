"""How long each notebook takes to execute here: `make time`.

Each notebook is executed from a fresh kernel, as `make notebooks` does, but on a copy in
memory: nothing in notebooks/ is written. With `--readme` the run-time column of the
README's syllabus table is rewritten from these measurements, so it is generated, never
typed. A time measured on one machine is no promise for another: compare notebooks (or
two commits) measured in one run on one machine. With `--cells N` it also prints each
notebook's N slowest code cells, from the execution times Jupyter records per cell: where
the time goes.
"""

import argparse
import re
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.paths import README, notebooks

# A syllabus row: | [NN_topic](notebooks/NN_topic.py) | what it teaches | 12 s |
ROW = re.compile(r"^(\| \[(\d\d_\w+)\]\(notebooks/\2\.py\) \|.*\| )[^|]*( \|)$")


def execute(path: Path) -> tuple[float, nbformat.NotebookNode]:
    """Execute the notebook at `path` from a fresh kernel, in memory: (wall seconds, the
    executed notebook, each code cell's timing in its metadata)."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    # The kernel process' own stderr carries only its start-up and shut-down chatter (a
    # warning about TCP, at times a traceback from a closed event loop); a cell's errors
    # arrive as messages and raise here.
    client.execute(stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, notebook


def slowest_cells(notebook: nbformat.NotebookNode, n: int) -> list[tuple[float, int, str]]:
    """The `n` slowest code cells of an executed notebook, slowest first: (seconds, index
    among the code cells, its first line that is not blank, a comment or a seed call)."""
    timed = []
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for index, cell in enumerate(code_cells):
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "shell.execute_reply" in stamps:
            start, end = (
                datetime.fromisoformat(stamps[key].replace("Z", "+00:00"))
                for key in ("iopub.execute_input", "shell.execute_reply")
            )
            timed.append(((end - start).total_seconds(), index, _label(cell.source)))
    return sorted(timed, key=lambda row: -row[0])[:n]


def _label(source: str) -> str:
    """A cell's first line that says what it does: not blank, a comment or a seed."""
    lines = [line.strip() for line in source.splitlines()]
    telling = [
        line
        for line in lines
        if line and not line.startswith("#") and not line.startswith("keras.utils.set_random_")
    ]
    return (telling or lines or [""])[0]


def update_readme(text: str, seconds: dict[str, float]) -> str:
    """`text` with the run-time cell of every syllabus row replaced by `seconds[name]`."""
    lines = []
    for line in text.splitlines():
        match = ROW.match(line)
        if match and match.group(2) in seconds:
            line = f"{match.group(1)}{seconds[match.group(2)]:.0f} s{match.group(3)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true", help="write the times into README.md")
    parser.add_argument("--cells", type=int, default=0, help="also print the N slowest cells")
    parser.add_argument("names", nargs="*", help="notebook names (default: all)")
    args = parser.parse_args(argv)
    paths = notebooks(".ipynb")
    if args.names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in args.names)]
    seconds = {}
    for path in paths:
        seconds[path.stem], executed = execute(path)
        print(f"{path.stem:<28} {seconds[path.stem]:6.1f} s", flush=True)
        for cell_seconds, index, first_line in slowest_cells(executed, args.cells):
            print(f"    {cell_seconds:5.1f} s  code cell {index:2d}: {first_line[:60]}", flush=True)
    print(f"{'all together':<28} {sum(seconds.values()):6.1f} s")
    if args.readme:
        README.write_text(update_readme(README.read_text(), seconds))
        print("README.md: run-time column updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
