"""Find what a built page would fetch from the network: scripts, style sheets, fonts.

Used by tests/docs/test_slides.py and tests/docs/test_site.py. A link to a web page in prose (an `<a
href="https://...">`) is fine offline; a `<script src="https://...">` is not: without a
network the page loses its behaviour or its look.
"""

from __future__ import annotations

import re
from pathlib import Path

URL = r"""(?:https?:)?//[^\s"'()<>]+"""
PATTERNS = {
    "script": re.compile(rf"""<script\b[^>]*\bsrc\s*=\s*["']?({URL})""", re.IGNORECASE),
    "link": re.compile(
        rf"""<link\b(?=[^>]*\brel\s*=\s*["']?(?:stylesheet|preload|icon|modulepreload|"""
        rf"""prefetch))[^>]*\bhref\s*=\s*["']?({URL})""",
        re.IGNORECASE,
    ),
    "link (href first)": re.compile(
        rf"""<link\b[^>]*\bhref\s*=\s*["']?({URL})["']?[^>]*\brel\s*=\s*["']?"""
        rf"""(?:stylesheet|preload|icon|modulepreload|prefetch)""",
        re.IGNORECASE,
    ),
    "css url()": re.compile(rf"""url\(\s*["']?({URL})""", re.IGNORECASE),
    "css @import": re.compile(rf"""@import\s+["']({URL})""", re.IGNORECASE),
    "js import": re.compile(rf"""\bimport\b[^;'"]*?\bfrom\s*["']({URL})""", re.IGNORECASE),
    "js dynamic import": re.compile(rf"""\bimport\(\s*["']({URL})""", re.IGNORECASE),
}
SUFFIXES = {".html", ".htm", ".css", ".js", ".mjs"}


def external_references(text: str) -> list[str]:
    """Every script, style sheet or font in `text` (HTML, CSS or JS) loaded from a URL."""
    found = []
    for kind, pattern in PATTERNS.items():
        found += [f"{kind}: {match}" for match in pattern.findall(text)]
    return sorted(set(found))


def external_references_in_folder(folder: Path) -> dict[str, list[str]]:
    """{file path relative to `folder`: its external references}, for files that have any."""
    problems = {}
    for path in sorted(folder.rglob("*")):
        if path.suffix in SUFFIXES and path.is_file():
            found = external_references(path.read_text(errors="replace"))
            if found:
                problems[str(path.relative_to(folder))] = found
    return problems
