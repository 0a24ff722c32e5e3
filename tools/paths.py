"""Where things are in the repository: its root, its guides, and its numbered notebooks.

Tests, benchmarks and the tools that build the slides and the site read the notebooks from
here, so the naming rule (`NN_topic.py` beside `NN_topic.ipynb`) is written once.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
README = ROOT / "README.md"
GUIDE = ROOT / "INSTRUCTORS.md"


def notebooks(suffix: str = ".ipynb", folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The numbered notebooks `NN_*<suffix>` in `folder`, in course order (00, 01, ...)."""
    return sorted(folder.glob(f"[0-9][0-9]_*{suffix}"))
