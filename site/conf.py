"""Sphinx configuration of the course website (`make site`, tools/build_site.py).

tools/build_site.py copies this file, README.md (as the home page), INSTRUCTORS.md and the
executed notebooks into a staging folder and builds it: notebooks are shown with their
stored outputs (never executed), and everything the pages load ships with the site.
"""

project = "Neural Networks for Recommender Systems"
author = "the course authors"
copyright = "the course authors"

extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # stored outputs only: the site builds in seconds, offline
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "home_page_in_toc": True,
}
html_static_path = ["_static"]
html_css_files = ["course.css"]
# The theme's colour mode until a reader picks one (an empty default logs a console error).
html_context = {"default_mode": "auto"}
html_copy_source = False
html_show_sourcelink = False
html_last_updated_fmt = None

# MathJax 2, copied into _static/mathjax by tools/build_site.py from jupyter-server-mathjax:
# Sphinx would otherwise load MathJax from a CDN.
mathjax_path = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
# myst-nb marks pages "tex2jax_ignore" and math blocks "math"; MathJax 2 is told the same
# (MyST's own update of the configuration is for MathJax 3, so it is turned off).
myst_update_mathjax = False
mathjax2_config = {
    "tex2jax": {
        "inlineMath": [["\\(", "\\)"]],
        "displayMath": [["\\[", "\\]"]],
        "processClass": "math|tex2jax_process|mathjax_process",
        "ignoreClass": "tex2jax_ignore|mathjax_ignore",
        "processEscapes": True,
    },
    "HTML-CSS": {
        "availableFonts": [],
        "webFont": "STIX-Web",
        "imageFont": None,
        # MathJax's placeholder font is url('about:blank'), which a page opened from disk may
        # not load (a console error on every page with math); a local() name fails silently.
        "styles": {"@font-face": {"font-family": "MathJax_Blank", "src": "local('MathJax Blank')"}},
    },
    "messageStyle": "none",
}


def _offline_search(app, pagename, templatename, context, doctree):
    """On the search page only: snippets from search-pages.js when opened from disk."""
    if pagename == "search":
        app.add_js_file("search-pages.js")  # written by tools/build_site.py after the build
        app.add_js_file("offline-search.js")


def setup(app):
    app.connect("html-page-context", _offline_search)
