"""Run every benchmark: `python -m benchmarks` (or `make bench`)."""

from benchmarks import scoring, serving

if __name__ == "__main__":
    failed = [module.__name__ for module in (scoring, serving) if module.main() != 0]
    if failed:
        print("targets missed in:", ", ".join(failed))
    raise SystemExit(1 if failed else 0)
