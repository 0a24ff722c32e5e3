"""Run every benchmark: `python -m benchmarks` (or `make bench`)."""

from benchmarks import distinct_vectors, scoring, serving, training_memory

if __name__ == "__main__":
    modules = (scoring, serving, distinct_vectors, training_memory)
    failed = [module.__name__ for module in modules if module.main() != 0]
    if failed:
        print("targets missed in:", ", ".join(failed))
    raise SystemExit(1 if failed else 0)
