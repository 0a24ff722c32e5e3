"""benchmarks/schedules.py: its verdict, and the notebook cells it runs by their text."""

import re
from pathlib import Path

import pytest

from benchmarks.schedules import ROOT, Notebook, verdict

CELLS_USED = [
    "mlp_runs =",
    "class Watched",
    "history_mlp, history_curves =",
    "def user_tower",
    "def top_lists",
    "retriever = InBatchSoftmax(",
]
CONSTANTS_SET = ["LEARNING_RATE", "ALS_SWEEPS", "RETRIEVAL_MAX_EPOCHS", "RETRIEVAL_CHECK_EVERY"]


@pytest.fixture(scope="module")
def notebook_06():
    return Notebook(ROOT / "notebooks" / "06_movielens.py")


@pytest.mark.parametrize("text", CELLS_USED)
def test_every_cell_the_script_runs_is_found_exactly_once(notebook_06, text):
    assert text in notebook_06.cell(text)


@pytest.mark.parametrize("name", CONSTANTS_SET)
def test_every_constant_the_script_sets_is_read_by_the_notebook(notebook_06, name):
    defined = [c for c in notebook_06.cells if re.search(rf"^{name} = ", c, re.MULTILINE)]
    read = [c for c in notebook_06.cells if re.search(rf"\b{name}\b(?! = )", c)]
    assert len(defined) == 1 and read


def test_a_cell_found_twice_or_never_is_an_error(notebook_06):
    with pytest.raises(ValueError, match="0 code cells"):
        notebook_06.cell("no cell contains this")
    with pytest.raises(ValueError, match=r"[2-9]\d* code cells of 06_movielens.py contain"):
        notebook_06.cell("plt.show()")


def test_run_until_stops_before_the_cell(tmp_path):
    path = tmp_path / "nb.py"
    path.write_text("# %%\na = 1\n\n# %%\nb = a + 1\n\n# %%\nraise SystemExit('never')\n")
    notebook = Notebook(path)
    notebook.run_until("raise SystemExit")
    assert notebook.namespace["b"] == 2
    namespace, seconds = notebook.run_with("b = a + 1", a=10)
    assert namespace["b"] == 11 and seconds >= 0


@pytest.mark.parametrize(
    ("old", "new", "old_s", "new_s", "higher", "ok"),
    [
        (1.000, 1.005, 2.0, 1.0, False, True),  # a little worse, within tolerance, faster
        (1.000, 1.020, 2.0, 1.0, False, False),  # worse by more than the tolerance
        (1.000, 0.990, 1.0, 2.0, False, False),  # better but slower
        (0.800, 0.795, 2.0, 1.0, True, True),  # recall: a little lower, within tolerance
        (0.800, 0.780, 2.0, 1.0, True, False),  # recall: lower by more than the tolerance
    ],
)
def test_verdict(capsys, old, new, old_s, new_s, higher, ok):
    assert verdict("m", old, new, old_s, new_s, 0.01, higher_is_better=higher) is ok
    assert ("ok" if ok else "MISSED") in capsys.readouterr().out


def test_the_schedules_run_with_make_bench():
    main = (ROOT / "benchmarks" / "__main__.py").read_text()
    assert "schedules" in main
    assert Path(ROOT / "benchmarks" / "schedules.py").exists()
