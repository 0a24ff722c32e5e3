# Neural Networks for Recommender Systems: `make lab` to learn, `make test` to check.
# Every target creates the virtual environment in .venv on first use; later runs reuse it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.py))
LAB_ARGS ?=
# Your own copy of the notebooks: `make lab` opens it, git ignores it, nothing overwrites it.
WORKSPACE ?= workspace

# TensorFlow reads these once, at import: no oneDNN (bit-for-bit results), quiet C++ logs
# (see course_utils/config.py for why level 3).
export TF_ENABLE_ONEDNN_OPTS := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help
.PHONY: help venv workspace lab test lint unit nbval test-portable portable-one-core \
	portable-other-order notebooks time bench slides slides-check site mutants clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] in [(3, 11), (3, 12)], "Python 3.11 or 3.12 needed, found " + sys.version'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $(STAMP)

venv: $(STAMP) ## Create .venv and install the course (done by every target)

workspace: ## Copy each notebook you do not have yet into workspace/ (never overwrites)
	@mkdir -p $(WORKSPACE)
	@cp -n notebooks/jupytext.toml $(WORKSPACE)/
	@for src in $(NOTEBOOKS); do \
		name=$$(basename $${src%.py}); \
		if [ ! -e $(WORKSPACE)/$$name.py ] && [ ! -e $(WORKSPACE)/$$name.ipynb ]; then \
			if [ -e notebooks/$$name.ipynb ]; then cp notebooks/$$name.ipynb $(WORKSPACE)/; fi; \
			cp notebooks/$$name.py $(WORKSPACE)/ && echo "workspace: new copy of $$name"; \
		fi; \
	done

lab: $(STAMP) workspace ## Open your workspace/ copy of the course in JupyterLab (127.0.0.1, token auth)
	COURSE_PROGRESS=1 $(BIN)/jupyter lab --notebook-dir=$(WORKSPACE) --ServerApp.ip=127.0.0.1 \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check course_utils tests notebooks benchmarks tools site
	$(BIN)/ruff format --check course_utils tests benchmarks tools site

unit: $(STAMP) ## Unit tests and notebook checks, without re-executing notebooks
	$(BIN)/python -m pytest tests

test: lint ## Lint, unit tests, notebook checks, every notebook re-run (nbval), then test-portable
	$(BIN)/python -m pytest tests
	$(MAKE) --no-print-directory nbval test-portable

NBVAL = $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-sanitize-with=nbval_sanitize.cfg

nbval: $(STAMP) ## Re-execute every notebook and compare its outputs with the stored ones
	$(NBVAL) notebooks

# Would the stored outputs hold on another machine? Two re-runs, side by side, each on a
# copy of the notebooks (09 writes files beside itself):
# - on one core: setup() pins every thread pool to the same size, so every output must
#   match exactly (where taskset exists: Linux);
# - in another machine's summation order, emulated by one TensorFlow thread and OpenBLAS'
#   Haswell kernels: the cells whose digits ride on training noise are compared by the
#   band their own asserts state (tests/notebooks/test_portability.py lists each), the rest exactly.
PORTABLE := build/portable
ONE_CORE := $(if $(shell command -v taskset 2>/dev/null),taskset -c 0)
OTHER_ORDER := TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OPENBLAS_CORETYPE=Haswell

test-portable: $(STAMP) ## Re-run every notebook on one core and in another CPU's summation order
	$(MAKE) --no-print-directory -j2 --output-sync=target portable-one-core portable-other-order

portable-one-core portable-other-order: portable-%:
	rm -rf $(PORTABLE)/$* && mkdir -p $(PORTABLE)/$*
	cp notebooks/[0-9][0-9]_*.ipynb $(PORTABLE)/$*/
	$(if $(filter one-core,$*),$(ONE_CORE),env $(OTHER_ORDER)) $(NBVAL) -q $(PORTABLE)/$*

notebooks: $(STAMP) ## Rebuild each .ipynb from its .py and execute it in place
	@for src in $(NOTEBOOKS); do \
		nb=$${src%.py}.ipynb; echo "== $$nb"; \
		$(BIN)/jupytext --quiet --update --to ipynb $$src && \
		$(BIN)/jupyter nbconvert --log-level=WARN --to notebook --execute --inplace \
			--ExecutePreprocessor.record_timing=False --ExecutePreprocessor.timeout=600 $$nb \
		|| exit 1; \
	done

time: $(STAMP) ## Time each notebook here (and its 3 slowest cells); write the README run-time column
	$(BIN)/python -m benchmarks.notebook_times --readme --cells 3

slides: $(STAMP) ## Offline reveal.js decks from the stored outputs, in build/slides/ (S: speaker notes)
	$(BIN)/python -m tools.build_slides --output build/slides

# The decks as a 1024x768 projector shows them, measured in Chromium (tools/check_slides.py):
# fails if code is under 16 px, or an output is cut or runs past its slide. Installs
# Playwright into .venv (pyproject's `browser` extra) and, if no Chromium is found, Debian's
# chromium package with apt-get; CHROMIUM=/path/to/chrome uses another one.
AS_ROOT := $(if $(filter 0,$(shell id -u)),,sudo)

slides-check: slides ## Measure every deck in Chromium at 1024x768: code >= 16 px, nothing cut
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[browser]"
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "$$CHROMIUM" ] || \
		{ command -v apt-get >/dev/null || { echo "slides-check: no Chromium; set CHROMIUM=/path/to/chrome"; exit 1; }; \
		echo "slides-check: no Chromium found, installing Debian's: apt-get install chromium"; \
		$(AS_ROOT) apt-get update -qq && $(AS_ROOT) apt-get install -y -qq chromium; }
	$(BIN)/python -m tools.check_slides build/slides

site: $(STAMP) ## The course as an offline website from the stored outputs, in build/site/
	$(BIN)/python -m tools.build_site --output build/site --stage build/site-src

bench: $(STAMP) ## Speed targets, measured side by side and reported as ratios
	$(BIN)/python -m benchmarks

# Mutation testing (tests/README.md): mutmut mutates course_utils into mutants/ and runs, for
# each mutant, only the unit tests that reach it (tests/unit, tests/properties,
# tests/exercises; no nbval, no browser), two at a time; then the score of each module, where
# only a kill counts. MUTANTS="course_utils.data*" runs one module; results are kept in
# mutants/ (make clean removes them), so a second run only tests what changed. The whole
# package is ~10,800 mutants, ~0.35 a second on two cores (measured on reproducibility):
# hours, so run it module by module before a release.
MUTANTS ?=

mutants: $(STAMP) ## Mutation testing of course_utils with mutmut; the score per module
	@$(BIN)/python -c "import mutmut" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/python -m tools.mutation_score

clean: ## Remove .venv, caches and checkpoints
	rm -rf $(VENV) .pytest_cache .ruff_cache notebooks/.ipynb_checkpoints build notebooks/data mutants
	@echo "(your workspace/ is kept; delete it yourself to start over)"
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
