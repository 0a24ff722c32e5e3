"""tools/mutation_score.py (`make mutants`) on a small fake mutants/ tree."""

import json

import pytest

from tools import mutation_score


def write_meta(root, module_path, codes):
    meta = root / "course_utils" / f"{module_path}.py.meta"
    meta.parent.mkdir(parents=True, exist_ok=True)
    meta.write_text(json.dumps({"exit_code_by_key": codes}))


@pytest.fixture
def tree(tmp_path):
    """Two modules: `metrics` all killed; `exercises.core` with each kind of survivor."""
    mutants = tmp_path / "mutants"
    write_meta(mutants, "metrics", {"m.x_a__mutmut_1": 1, "m.x_a__mutmut_2": 3})
    write_meta(
        mutants,
        "exercises/core",
        {
            "c.x_b__mutmut_1": 1,  # killed
            "c.x_b__mutmut_2": 0,  # survived
            "c.x_b__mutmut_3": 33,  # no tests
            "c.x_b__mutmut_4": 36,  # timeout
            "c.x_b__mutmut_5": None,  # not run yet
            "c.x_b__mutmut_6": 0,  # survived, listed as equivalent
        },
    )
    write_meta(mutants, "empty", {})
    equivalents = tmp_path / "equivalent_mutants.txt"
    equivalents.write_text("# header\nc.x_b__mutmut_6  a default never read  # comment\n")
    return mutants, equivalents


def test_score_of_a_module_with_every_mutant_killed_is_all_of_them():
    s = mutation_score.score({"a": 1, "b": 3}, {})
    assert (s["killed"], s["total"], s["survivors"]) == (2, 2, [])


def test_score_counts_no_tests_and_timeouts_as_survivors_and_leaves_out_not_run_and_equivalents():
    codes = {"k": 1, "s": 0, "n": 33, "t": 36, "r": None, "e": 0}
    s = mutation_score.score(codes, {"e": "reason"})
    assert s == {
        "killed": 1,
        "total": 4,
        "equivalent": 1,
        "not_checked": 1,
        "survivors": ["n", "s", "t"],
    }


def test_read_results_names_modules_by_dotted_path_and_skips_files_without_mutants(tree):
    mutants, _ = tree
    results = mutation_score.read_results(mutants)
    assert sorted(results) == ["course_utils.exercises.core", "course_utils.metrics"]
    assert results["course_utils.metrics"] == {"m.x_a__mutmut_1": 1, "m.x_a__mutmut_2": 3}


def test_read_equivalents_keeps_the_reason_and_drops_comments(tree):
    _, equivalents = tree
    assert mutation_score.read_equivalents(equivalents) == {
        "c.x_b__mutmut_6": "a default never read"
    }


def test_read_equivalents_of_a_missing_file_is_empty(tmp_path):
    assert mutation_score.read_equivalents(tmp_path / "none.txt") == {}


def test_read_equivalents_refuses_a_mutant_without_a_reason(tmp_path):
    path = tmp_path / "equivalent_mutants.txt"
    path.write_text("c.x_b__mutmut_6\n")
    with pytest.raises(ValueError, match="c.x_b__mutmut_6 has no reason"):
        mutation_score.read_equivalents(path)


def test_main_prints_each_module_and_fails_when_one_is_below_90_percent(tree, capsys):
    mutants, equivalents = tree
    argv = ["--mutants", str(mutants), "--equivalents", str(equivalents), "--survivors"]
    assert mutation_score.main(argv) == 1
    out = capsys.readouterr().out
    words = " ".join(out.split())  # the table's columns, whatever their padding
    assert "course_utils.metrics 2/2 100.0% 0 0" in words
    assert "course_utils.exercises.core 1/4 25.0% 1 1" in words
    assert "survivor: c.x_b__mutmut_2 survivor: c.x_b__mutmut_3 survivor: c.x_b__mutmut_4" in words
    assert "survivor: c.x_b__mutmut_6" not in words
    assert words.endswith("below 90% or not all run: course_utils.exercises.core")


def test_main_passes_when_every_module_is_at_least_90_percent(tmp_path, capsys):
    mutants = tmp_path / "mutants"
    write_meta(mutants, "metrics", {f"m.x_a__mutmut_{i}": 1 for i in range(9)} | {"m.s": 0})
    assert mutation_score.main(["--mutants", str(mutants)]) == 0
    assert "course_utils.metrics 9/10 90.0% 0 0" in " ".join(capsys.readouterr().out.split())


def test_main_without_results_says_to_run_make_mutants(tmp_path, capsys):
    assert mutation_score.main(["--mutants", str(tmp_path)]) == 1
    assert "run `make mutants` first" in capsys.readouterr().out
