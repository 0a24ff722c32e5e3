"""`make time` writes the README's run-time column; the syllabus lists every notebook."""

import nbformat

from benchmarks.notebook_times import ROW, slowest_cells, update_readme
from tools.paths import README, notebooks

SOURCES = notebooks(".py")


def test_update_readme_rewrites_only_the_run_time_cells():
    text = (
        "intro 12 s\n"
        "| [03_mlp](notebooks/03_mlp.py) | The MLP | 50 s |\n"
        "| [04_top_k](notebooks/04_top_k.py) | Top-k | 22 s |\n"
        "| [03_mlp](notebooks/04_top_k.py) | mismatched link | 9 s |\n"
    )
    updated = update_readme(text, {"03_mlp": 12.4, "04_top_k": 7.6}).splitlines()
    assert updated[0] == "intro 12 s"
    assert updated[1] == "| [03_mlp](notebooks/03_mlp.py) | The MLP | 12 s |"
    assert updated[2] == "| [04_top_k](notebooks/04_top_k.py) | Top-k | 8 s |"
    assert updated[3].endswith("| 9 s |")  # a row whose link does not match is left alone


def test_readme_syllabus_has_one_timed_row_per_notebook_in_one_table():
    lines = README.read_text().splitlines()
    rows = [(i, ROW.match(line)) for i, line in enumerate(lines)]
    rows = [(i, match.group(2)) for i, match in rows if match]
    assert [name for _, name in rows] == [source.stem for source in SOURCES]
    first, last = rows[0][0], rows[-1][0]
    assert last - first == len(rows) - 1, "a blank line splits the syllabus table"


def test_slowest_cells_reads_the_recorded_times_slowest_first():
    def cell(source, start=None, end=None):
        node = nbformat.v4.new_code_cell(source)
        if start:
            node.metadata["execution"] = {
                "iopub.execute_input": f"2026-11-30T10:00:{start}Z",
                "shell.execute_reply": f"2026-11-30T10:00:{end}Z",
            }
        return node

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        cell("a = 1", "00.000000", "00.500000"),
        nbformat.v4.new_markdown_cell("# not code"),
        cell("model.fit(x)\nmore", "01.000000", "04.250000"),
        cell("never run"),
        cell("keras.utils.set_random_seed(SEED)\n\nb = 2", "05.000000", "05.100000"),
    ]
    assert slowest_cells(notebook, 2) == [(3.25, 1, "model.fit(x)"), (0.5, 0, "a = 1")]
    assert slowest_cells(notebook, 3)[-1] == (0.1, 3, "b = 2")  # the seed call is skipped
    assert slowest_cells(notebook, 0) == []
