"""Notebook 00's course map lists every notebook in notebooks/, in order, by its name."""

import re

from tools.paths import NOTEBOOK_DIR, notebooks

WELCOME = NOTEBOOK_DIR / "00_welcome.py"

# A map row in the .py source: "# | 04 top-k, metrics | What it teaches |".
MAP_ROW = re.compile(r"^# \| (\d\d) ([^|]+?) \|", re.MULTILINE)


def map_entries(source: str) -> list[str]:
    """Return the notebooks a course map names, as "NN_name" stems, in the map's order."""
    return [f"{number}_{name}" for number, name in MAP_ROW.findall(source)]


def comparable(stem: str) -> str:
    """Return a stem without case, punctuation or the word "and": "04_top_k_and_metrics"
    and the map's "04 top-k, metrics" both become "04topkmetrics"."""
    words = re.findall(r"[a-z0-9]+", stem.lower().replace("-", ""))
    return "".join(word for word in words if word != "and")


def missing_from_map(source: str, stems: list[str]) -> list[str]:
    """Return the problems of a course map against the notebooks' stems (empty if none)."""
    entries = map_entries(source)
    listed = [comparable(entry) for entry in entries]
    wanted = [comparable(stem) for stem in stems]
    problems = [
        f"{stem} is not in the course map" for stem in stems if comparable(stem) not in listed
    ]
    problems += [
        f"the map lists {entry}, which is no notebook"
        for entry in entries
        if comparable(entry) not in wanted
    ]
    if not problems and listed != wanted:
        problems.append(f"the map's order {listed} is not the notebooks' order {wanted}")
    return problems


def notebook_stems() -> list[str]:
    return [path.stem for path in notebooks(".py")]


def test_the_course_map_lists_every_notebook_in_order():
    assert missing_from_map(WELCOME.read_text(), notebook_stems()) == []


def test_the_map_reader_matches_names_up_to_case_punctuation_and_and():
    source = "# | 04 top-k, metrics | Ranking |\n# | 07 scaling, serving | Big |\n"
    assert map_entries(source) == ["04_top-k, metrics", "07_scaling, serving"]
    assert missing_from_map(source, ["04_top_k_and_metrics", "07_scaling_and_serving"]) == []


def test_a_missing_renamed_or_misplaced_notebook_is_reported():
    source = "# | 00 welcome | Hello |\n# | 01 synthetic data | World |\n# | 02 old name | Gone |\n"
    stems = ["00_welcome", "01_synthetic_data", "02_svd_baseline", "03_mlp"]
    assert missing_from_map(source, stems) == [
        "02_svd_baseline is not in the course map",
        "03_mlp is not in the course map",
        "the map lists 02_old name, which is no notebook",
    ]
    swapped = "# | 01 synthetic data | World |\n# | 00 welcome | Hello |\n"
    assert missing_from_map(swapped, ["00_welcome", "01_synthetic_data"]) == [
        "the map's order ['01syntheticdata', '00welcome'] is not the notebooks' order "
        "['00welcome', '01syntheticdata']"
    ]
