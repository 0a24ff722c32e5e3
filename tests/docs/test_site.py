"""The course website builds offline, with warnings as errors, and shows every notebook."""

import json
import re

import nbformat
import pytest

from tools.build_site import _link_notebook_pages, _MainText, build, collapse_solutions
from tools.offline import external_references_in_folder
from tools.paths import README, ROOT, notebooks

# Sphinx 9 announces API changes for Sphinx 11 that the extensions will make in time.
pytestmark = pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")

NOTEBOOKS = notebooks(".ipynb")
SITE_CSS = ROOT / "site" / "_static" / "course.css"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    status = build(folder / "html", folder / "staging")
    assert status == 0, "sphinx-build -W failed: run `make site` to see the warnings"
    return folder / "html"


def test_every_page_is_built(site):
    for page in ["index", "INSTRUCTORS", "search", *[f"notebooks/{p.stem}" for p in NOTEBOOKS]]:
        assert (site / f"{page}.html").exists(), page
    assert (site / "searchindex.js").exists()


def test_the_home_page_is_the_readme_and_links_every_notebook(site):
    home = (site / "index.html").read_text()
    title = README.read_text().splitlines()[0].lstrip("# ")
    assert f"<h1>{title}" in home
    for path in NOTEBOOKS:
        assert f'href="notebooks/{path.stem}.html"' in home, path.stem
    assert 'href="INSTRUCTORS.html"' in home


def test_nothing_is_loaded_from_the_network(site):
    assert external_references_in_folder(site) == {}
    with_math = [
        page for page in (site / "notebooks").glob("*.html") if 'class="math' in page.read_text()
    ]
    assert with_math, "no page with math: the MathJax check below checks nothing"
    for page in with_math:
        assert 'src="../_static/mathjax/MathJax.js' in page.read_text(), page.name


def test_every_plot_is_on_its_page(site):
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text())["cells"]
        plots = sum(
            "image/png" in output.get("data", {})
            for cell in cells
            for output in cell.get("outputs", [])
        )
        page = (site / "notebooks" / f"{path.stem}.html").read_text()
        assert page.count("<img") == plots, path.stem


def test_solutions_are_collapsed(site):
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
        page = (site / "notebooks" / f"{path.stem}.html").read_text()
        code = sum(c.cell_type == "code" for c in solutions)
        answers = sum(c.cell_type == "markdown" for c in solutions)
        assert page.count('<details class="admonition hide above-input">') == code, path.stem
        assert page.count('<details class="solution">') == answers, path.stem


def test_search_finds_words_from_the_notebooks(site):
    index = (site / "searchindex.js").read_text()
    for word in ["svd", "tower", "movielen"]:  # stems, as Sphinx indexes them
        assert re.search(rf'"{word}\w*"', index), word


def test_collapse_solutions_tags_code_and_wraps_model_answers():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("Because.", metadata={"tags": ["solution"]}),
        nbformat.v4.new_markdown_cell("Not a solution."),
        nbformat.v4.new_markdown_cell("## Solutions\n\nClick the bar at the left."),
    ]
    collapsed = collapse_solutions(notebook)
    assert collapsed.cells[3].source.endswith("**Model answer** to open a solution.")
    assert collapsed.cells[0].metadata["tags"] == ["solution", "hide-input"]
    assert collapsed.cells[1].source.startswith('<details class="solution">')
    assert "\n\nBecause.\n\n</details>" in collapsed.cells[1].source
    assert collapsed.cells[2].source == "Not a solution."


def test_links_to_notebook_sources_point_to_their_pages():
    text = "See [02](notebooks/02_svd_baseline.py), [the guide](INSTRUCTORS.md#00-welcome)."
    assert _link_notebook_pages(text) == (
        "See [02](notebooks/02_svd_baseline.ipynb), [the guide](INSTRUCTORS.md#00-welcome)."
    )


def test_links_to_other_repository_files_become_paths():
    text = "Run [the CI](.ci/run) ([docs](https://example.org)); ![plot](plot.png)."
    assert _link_notebook_pages(text) == (
        "Run the CI (`.ci/run`) ([docs](https://example.org)); ![plot](plot.png)."
    )


def test_no_code_or_output_line_needs_horizontal_scrolling():
    """At 1280x800 the page's contents move behind a button, and the notebook column holds
    100 characters; a longer line (or a narrow window) wraps instead of scrolling."""
    css = SITE_CSS.read_text()
    wide = re.search(
        r"@media \(min-width: 1200px\) and \(max-width: ([\d.]+)px\) \{(.*?)\n\}", css, re.S
    )
    assert wide and float(wide.group(1)) >= 1280, "no room made for code at 1280 px"
    assert "#pst-secondary-sidebar { display: none; }" in wide.group(2)
    assert "secondary-toggle { display: inline-flex; }" in wide.group(2)  # the way to reach it
    rule = re.search(r"div\.cell_input pre,\s*div\.cell_output pre \{([^}]*)\}", css).group(1)
    assert "white-space: pre-wrap" in rule and "overflow-wrap: anywhere" in rule
    assert not re.search(r"overflow(?:-x)?:\s*(?:auto|scroll)", css)


def test_search_shows_snippets_when_opened_from_disk(site):
    search = (site / "search.html").read_text()
    assert '<script src="_static/search-pages.js' in search
    assert '<script src="_static/offline-search.js' in search
    assert "search-pages.js" not in (site / "index.html").read_text()  # search page only
    script = (site / "_static" / "search-pages.js").read_text()
    pages = json.loads(script[script.index("{") : script.rindex("}") + 1])
    for path in NOTEBOOKS:
        page = pages[f"notebooks/{path.stem}.html"]
        title = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0][2:]
        assert page.startswith('<main role="main">') and title[:20] in page, path.stem
        # Section results link to an anchor; the snippet is looked up by the same id.
        built = (site / "notebooks" / f"{path.stem}.html").read_text()
        ids = re.findall(r'<section id="([^"]+)"', built)
        assert ids and all(f'id="{i}"' in page for i in ids), path.stem
    assert "index.html" in pages and "INSTRUCTORS.html" in pages


def test_pages_log_no_console_errors_we_can_prevent(site):
    page = (site / "notebooks" / f"{NOTEBOOKS[2].stem}.html").read_text()
    # The theme logs an error when its colour mode starts empty.
    assert 'localStorage.getItem("mode") || "auto"' in page
    # MathJax's url('about:blank') placeholder font fails from disk; a local() name does not.
    assert "local('MathJax Blank')" in page


def test_main_text_keeps_ids_and_text_and_drops_the_rest():
    parser = _MainText()
    parser.feed(
        '<html><body><nav>menu</nav><main id="main-content" role="main">'
        '<section id="the-data"><h2>1. The data<a class="headerlink" href="#x">#</a></h2>'
        "<p>Ratings <code>ml   =\n load()</code></p><script>var x;</script>"
        '<div class="bd-sidebar-secondary">Contents</div><img src="a.png">'
        "</section></main><footer>end</footer></body></html>"
    )
    text = "".join(parser.parts)
    assert text == '<div id="the-data">1. The dataRatings ml = load()</div>'
