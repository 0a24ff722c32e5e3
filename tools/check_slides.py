"""Check the built decks in a real browser, as a projector shows them.

Usage: python -m tools.check_slides [--size 1024x768] [--screenshots DIR] [build/slides]

Opens every `*.slides.html` in Chromium (Playwright) at a projector's 1024x768, goes to
every slide, and measures what reveal.js really displays, after its scaling:

- the smallest code font (code cells, printed outputs, inline code), which must be at least
  16 px, and the smallest font of any other text (formulas aside), reported;
- every box that cuts its content (a scroll box: more to see than it shows);
- everything that runs past the slide's edges, or lies under the slide number or arrows.

It exits 1 when a deck fails. `make slides-check` builds the decks, installs Playwright
(pyproject's optional `browser` dependencies) into .venv and runs it. The browser is the
system's Chromium (Debian's `chromium` package, or $CHROMIUM): never `playwright install`.
tests/docs/test_slides.py checks the same properties without a browser, from slides/course.css,
reveal.js' scale and each slide's length.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tools.paths import ROOT
from tools.slide_layout import PROJECTOR

MIN_CODE_PX = 16.0
# Headless, offline, and without the sandbox (which fails as root or in a container): the
# browser opens nothing but the course's own decks from disk.
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHROMIUM_NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

# Runs in the deck, on the current slide: what is displayed, in screen pixels.
MEASURE = """() => {
  const slide = Reveal.getCurrentSlide();
  const frame = document.querySelector(".reveal .slides").getBoundingClientRect();
  const scale = frame.width / Reveal.getConfig().width;
  const skip = "aside.notes, .MathJax, .MathJax_Display, .MathJax_Preview, "
    + ".MJX_Assistive_MathML, mjx-container, script, style";
  // The visible part of a rectangle: clipped by every ancestor box that clips.
  const visible = (element, rect) => {
    let [left, top, right, bottom] = [rect.left, rect.top, rect.right, rect.bottom];
    for (let box = element.parentElement; box && box !== slide; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const clip = box.getBoundingClientRect();
      left = Math.max(left, clip.left); right = Math.min(right, clip.right);
      top = Math.max(top, clip.top); bottom = Math.min(bottom, clip.bottom);
    }
    return {left, top, right: Math.max(left, right), bottom: Math.max(top, bottom)};
  };
  const words = (text) => text.trim().replace(/\\s+/g, " ").slice(0, 60);
  const result = {scale, code: null, text: null, cut: [], past: [], covered: []};
  // What reveal.js draws over the slide: its arrows (when shown) and the slide number.
  const overlays = [...document.querySelectorAll(".reveal .controls, .reveal .slide-number")]
    .filter((e) => getComputedStyle(e).display !== "none")
    .flatMap((e) => [e, ...e.querySelectorAll("button")])
    .filter((e) => e.tagName === "BUTTON" || e.classList.contains("slide-number"))
    .filter((e) => !["hidden", "collapse"].includes(getComputedStyle(e).visibility))
    .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0);
  const under = (rect) => overlays.some((o) =>
    rect.right > o.left && rect.left < o.right && rect.bottom > o.top && rect.top < o.bottom);
  const smallest = (kind, px, sample) => {
    if (result[kind] === null || px < result[kind].px) result[kind] = {px, sample};
  };
  const outside = (rect) => Math.max(
    frame.left - rect.left, rect.right - frame.right,
    frame.top - rect.top, rect.bottom - frame.bottom);
  const walker = document.createTreeWalker(slide, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!node.textContent.trim() || element.closest(skip)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (rects.length === 0) continue;  // not rendered
    const style = getComputedStyle(element);
    if (style.visibility === "hidden") continue;
    const px = parseFloat(style.fontSize) * scale;
    smallest(element.closest("pre, code") ? "code" : "text", px, words(node.textContent));
    const beyond = Math.max(...rects.map((rect) => outside(visible(element, rect))));
    if (beyond > 1) result.past.push({px: beyond, sample: words(node.textContent)});
    if (rects.some(under)) result.covered.push(words(node.textContent));
  }
  for (const element of slide.querySelectorAll("*")) {
    if (element.closest(skip)) continue;
    const style = getComputedStyle(element);
    const clips = (value) => ["auto", "scroll", "hidden", "clip"].includes(value);
    const down = clips(style.overflowY) && element.scrollHeight > element.clientHeight + 1;
    const across = clips(style.overflowX) && element.scrollWidth > element.clientWidth + 1;
    if ((down || across) && element.clientHeight > 0) {
      result.cut.push({
        element: element.tagName.toLowerCase() + "." + [...element.classList].join("."),
        shown: [element.clientWidth, element.clientHeight],
        content: [element.scrollWidth, element.scrollHeight],
        sample: words(element.textContent),
      });
    }
    if (["IMG", "SVG", "CANVAS", "TABLE"].includes(element.tagName.toUpperCase())) {
      const beyond = outside(visible(element, element.getBoundingClientRect()));
      if (beyond > 1) result.past.push({px: beyond, sample: "<" + element.tagName + ">"});
    }
  }
  return result;
}"""

SETTLE = """() => new Promise((done) => {
  const next = () => requestAnimationFrame(() => requestAnimationFrame(done));
  if (window.MathJax && MathJax.Hub) MathJax.Hub.Queue(next); else next();
})"""


@dataclass
class SlideReport:
    """What one slide displays: its smallest fonts, cut boxes and overflow."""

    number: int
    indices: str
    title: str
    scale: float
    code: dict | None
    text: dict | None
    cut: list[dict] = field(default_factory=list)
    past: list[dict] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)


@dataclass
class DeckReport:
    name: str
    size: tuple[int, int]
    slides: list[SlideReport]

    def smallest(self, kind: str) -> dict | None:
        found = [getattr(s, kind) | {"slide": s.number} for s in self.slides if getattr(s, kind)]
        return min(found, key=lambda item: item["px"], default=None)

    def problems(self, min_code_px: float = MIN_CODE_PX) -> list[str]:
        found = []
        for slide in self.slides:
            where = f"{self.name} slide {slide.number} ({slide.indices}, {slide.title!r})"
            if slide.code and slide.code["px"] < min_code_px - 0.01:
                found.append(
                    f"{where}: code at {slide.code['px']:.1f} px, below {min_code_px:g} "
                    f"({slide.code['sample']!r})"
                )
            for box in slide.cut:
                found.append(
                    f"{where}: {box['element']} shows {box['shown']} of {box['content']} "
                    f"pixels ({box['sample']!r})"
                )
            for item in slide.past:
                found.append(f"{where}: {item['px']:.0f} px past the slide ({item['sample']!r})")
            for sample in slide.covered:
                found.append(f"{where}: under the slide number or arrows ({sample!r})")
        return found


def find_chromium() -> str:
    """The system's Chromium: $CHROMIUM, or the first of CHROMIUM_NAMES on the PATH."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in CHROMIUM_NAMES:
        if path := shutil.which(name):
            return path
    raise FileNotFoundError(
        "No Chromium found: install it (Debian/Ubuntu: `sudo apt-get install chromium`) "
        "or set CHROMIUM to a Chromium or Chrome executable."
    )


def measure_deck(page, deck: Path, size: tuple[int, int]) -> DeckReport:
    """Go to every slide of `deck` in `page` and measure it."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.goto(deck.resolve().as_uri())
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    positions = page.evaluate(
        "() => Reveal.getSlides().map((s) => { const i = Reveal.getIndices(s); "
        "return [i.h, i.v || 0]; })"
    )
    slides = []
    for number, (h, v) in enumerate(positions, start=1):
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.evaluate(SETTLE)
        found = page.evaluate(MEASURE)
        title = page.evaluate(
            "() => { const s = Reveal.getCurrentSlide(); "
            "const h = s.querySelector('h1, h2, h3'); "
            "const text = h ? h.textContent : s.textContent; "
            "return text.replace(/\\s+/g, ' ').trim().slice(0, 50); }"
        )
        slides.append(
            SlideReport(
                number=number,
                indices=f"{h}/{v}",
                title=title.replace("¶", ""),
                scale=found["scale"],
                code=found["code"],
                text=found["text"],
                cut=found["cut"],
                past=found["past"],
                covered=found["covered"],
            )
        )
    return DeckReport(deck.name, size, slides)


def check(
    decks: list[Path],
    sizes: list[tuple[int, int]],
    screenshots: Path | None = None,
) -> list[DeckReport]:
    """Measure every deck at every size (optionally saving a PNG of every slide)."""
    from playwright.sync_api import sync_playwright

    reports = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=BROWSER_ARGS)
        page = browser.new_page()
        for deck in decks:
            for size in sizes:
                report = measure_deck(page, deck, size)
                reports.append(report)
                if screenshots:
                    _screenshots(page, report, screenshots)
        browser.close()
    return reports


def _screenshots(page, report: DeckReport, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stem = report.name.removesuffix(".slides.html")
    for slide in report.slides:
        h, v = slide.indices.split("/")
        page.evaluate(f"() => Reveal.slide({h}, {v})")
        page.evaluate(SETTLE)
        size = f"{report.size[0]}x{report.size[1]}"
        page.screenshot(path=str(folder / f"{stem}_{size}_{slide.number:02d}.png"))


def _size(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=ROOT / "build" / "slides")
    parser.add_argument("--size", type=_size, action="append", help="WIDTHxHEIGHT (1024x768)")
    parser.add_argument("--min-code-px", type=float, default=MIN_CODE_PX)
    parser.add_argument("--screenshots", type=Path, help="save a PNG of every slide here")
    args = parser.parse_args(argv)
    decks = sorted(args.folder.glob("*.slides.html"))
    if not decks:
        print(f"slides-check: no decks in {args.folder}: run `make slides` first")
        return 1
    reports = check(decks, args.size or [PROJECTOR], args.screenshots)
    problems = []
    for report in reports:
        code, text = report.smallest("code"), report.smallest("text")
        size = f"{report.size[0]}x{report.size[1]}"
        print(
            f"{report.name:40} {size:>9}  scale {report.slides[0].scale:.3f}  "
            f"smallest code {code['px'] if code else 0:5.1f} px, other text "
            f"{text['px'] if text else 0:5.1f} px, {len(report.slides):3} slides"
        )
        problems += report.problems(args.min_code_px)
    for problem in problems:
        print(f"FAIL {problem}")
    print(f"slides-check: {len(problems)} problem(s) in {len(decks)} deck(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
