# The course's entry points. The README shows the two that matter:
#   make course   set up .venv, execute every notebook (default profile), build the website
#   make test     set up .venv, then lint, unit tests and every notebook (ci profile)
# and, on a machine with CUDA:
#   make test-gpu the gpu-marked tests, then every notebook on the GPU (default profile)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# This machine's pip config lists extra package folders that may be absent; silence that noise only.
QUIET_PIP := { grep -v 'is ignored: it is neither a file nor a directory' || true; }
JOBS ?= 2
# Tests, notebooks and the site check run with the network cut off (see .ci/offline).
OFFLINE := .ci/offline

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help setup course book budgets book-ci site-test chromium test test-gpu lint format lab student clean

help:
	@echo "make course  - set up .venv, run every notebook (default profile), build the website"
	@echo "make test    - set up .venv, run ruff, the unit tests and every notebook (ci profile)"
	@echo "make test-gpu - on a CUDA machine: the gpu tests, then every notebook on the GPU (default profile)"
	@echo "make lab     - open the notebooks in JupyterLab"
	@echo "make student - write student/: the notebooks with solutions replaced by stubs"

setup: $(STAMP)

$(STAMP): requirements/course.txt requirements/constraints.txt requirements/assets.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) (first time: about 5 minutes)..."
	$(BIN)/python -m pip install --quiet -r requirements/course.txt -c requirements/constraints.txt 2>&1 | $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/assets.txt 2>&1 | $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>&1 | $(QUIET_PIP)
	@touch $(STAMP)

course: setup book budgets
	@echo
	@echo "Course built. Open the website: file://$(CURDIR)/book/_build/html/index.html"

# The website, default profile, into book/_build/html. book/execute.py first runs the notebooks
# side by side (one per core, one thread each) into book/_build/.jupyter_cache, where the build
# finds them; a rebuild with unchanged notebooks takes seconds.
book: setup
	$(BIN)/python book/vendor_widgets.py fetch
	TUTORIAL_PROFILE=default $(BIN)/python book/execute.py book/_build/.jupyter_cache
	TUTORIAL_PROFILE=default $(BIN)/jupyter-book build -W --keep-going book
	$(BIN)/python book/vendor_widgets.py fonts book/_build/html

# The per-notebook budget table of the default-profile build (from its execution cache); fails
# when a notebook took more than twice its budget, like `make test` does for the ci profile.
budgets: setup
	TUTORIAL_PROFILE=default $(BIN)/python book/budgets.py book/_build/.jupyter_cache

# The same website in the small ci profile, in its own folder (and cache) for the site test.
book-ci: setup
	$(BIN)/python book/vendor_widgets.py fetch
	$(OFFLINE) env TUTORIAL_PROFILE=ci $(BIN)/python book/execute.py book/_build/ci/_build/.jupyter_cache
	$(OFFLINE) env TUTORIAL_PROFILE=ci $(BIN)/jupyter-book build -W --keep-going --path-output book/_build/ci book
	$(BIN)/python book/vendor_widgets.py fonts book/_build/ci/_build/html

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the website test..."; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium >/dev/null; }

site-test: book-ci chromium
	$(OFFLINE) env SITE_DIR=book/_build/ci/_build/html $(BIN)/python -m pytest -m site tests/site

test: setup lint
	$(OFFLINE) env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TUTORIAL_THREADS=1 TUTORIAL_PROFILE=ci $(BIN)/python -m pytest \
		-n $(JOBS) --dist loadfile tests notebooks --nbval-lax --nbval-current-env
	$(MAKE) --no-print-directory site-test

# GPU: CUDA must be present (a skipped gpu test would pass silently), then the gpu tests and
# every notebook with TUTORIAL_DEVICE=cuda in the default profile, against the notebooks' gpu budgets.
test-gpu: setup
	@$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else \
		'make test-gpu needs CUDA, and torch.cuda.is_available() is False here. Fix: run it on a machine with an NVIDIA GPU, or use make test.')"
	$(OFFLINE) env TUTORIAL_DEVICE=cuda TUTORIAL_PROFILE=default $(BIN)/python -m pytest -m gpu tests
	$(OFFLINE) env TUTORIAL_DEVICE=cuda TUTORIAL_PROFILE=default $(BIN)/python -m pytest \
		notebooks --nbval-lax --nbval-current-env

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

student: setup
	$(BIN)/python -m tutorial_lib student --src notebooks --out student

lab: setup
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf book/_build .pytest_cache .ruff_cache
