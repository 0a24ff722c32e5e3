"""Print the mutation score of each module of course_utils from mutmut's results.

`make mutants` runs it after `mutmut run`. mutmut leaves one `mutants/<path>.meta` file per
source file, mapping each mutant to the exit code of its tests. Only a kill counts: a
mutant that survived, that no test reaches ("no tests"), that timed out or ended strangely
("suspicious") is a survivor. A mutant listed in tests/equivalent_mutants.txt (one that
cannot change behaviour, with its reason) leaves the module's total.

    python -m tools.mutation_score            # the table, and exit 1 if a module is < 90%
    python -m tools.mutation_score --survivors  # also list each module's survivors
"""

import argparse
import json
import sys
from pathlib import Path

from tools.paths import ROOT

THRESHOLD = 90.0
KILLED = {1, 3}  # pytest's "tests failed" and "internal error": mutmut's kills
NOT_CHECKED = None  # not run yet: neither killed nor a survivor


def read_results(mutants: Path) -> dict[str, dict[str, int | None]]:
    """{module: {mutant: exit code}} from mutmut's .meta files under mutants/course_utils."""
    results = {}
    for meta in sorted((mutants / "course_utils").rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            module = meta.relative_to(mutants).as_posix().removesuffix(".py.meta")
            results[module.replace("/", ".")] = codes
    return results


def read_equivalents(path: Path) -> dict[str, str]:
    """{mutant: reason} from lines `mutant-name  reason`; `#` starts a comment."""
    equivalents = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, reason = line.partition(" ")
            if not reason.strip():
                raise ValueError(f"{path}: {name} has no reason; each equivalent needs one")
            equivalents[name] = reason.strip()
    return equivalents


def score(codes: dict[str, int | None], equivalents: dict[str, str]) -> dict:
    """Killed, total (equivalents left out), not checked, and the survivors of one module."""
    checked = {k: c for k, c in codes.items() if c is not NOT_CHECKED and k not in equivalents}
    survivors = sorted(k for k, c in checked.items() if c not in KILLED)
    return {
        "killed": len(checked) - len(survivors),
        "total": len(checked),
        "equivalent": sum(k in equivalents for k in codes),
        "not_checked": sum(c is NOT_CHECKED for c in codes.values()),
        "survivors": survivors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutants", type=Path, default=ROOT / "mutants")
    parser.add_argument("--equivalents", type=Path, default=ROOT / "tests/equivalent_mutants.txt")
    parser.add_argument("--survivors", action="store_true", help="list each survivor")
    args = parser.parse_args(argv)
    results = read_results(args.mutants)
    if not results:
        print(f"no mutmut results under {args.mutants}: run `make mutants` first")
        return 1
    equivalents = read_equivalents(args.equivalents)
    print(f"{'module':38} {'killed/total':>13} {'score':>7} {'equiv.':>6} {'not run':>7}")
    below = []
    for module, codes in results.items():
        s = score(codes, equivalents)
        if s["total"] == 0:
            print(f"{module:38} {'not run':>13}")
            below.append(module)
            continue
        percent = 100 * s["killed"] / s["total"]
        print(
            f"{module:38} {s['killed']:>6}/{s['total']:<6} {percent:6.1f}% "
            f"{s['equivalent']:>6} {s['not_checked']:>7}"
        )
        if percent < THRESHOLD or s["not_checked"]:
            below.append(module)
        if args.survivors:
            for name in s["survivors"]:
                print(f"    survivor: {name}")
    if below:
        print(f"below {THRESHOLD:.0f}% or not all run: {', '.join(below)}")
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
