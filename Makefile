# The course's entry points. The README shows the two that matter:
#   make course   set up .venv, execute every notebook (default profile), build the website
#   make test     set up .venv, then lint, unit tests and every notebook (ci profile)
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

.PHONY: help setup course book test lint format lab clean

help:
	@echo "make course  - set up .venv, run every notebook (default profile), build the website"
	@echo "make test    - set up .venv, run ruff, the unit tests and every notebook (ci profile)"
	@echo "make lab     - open the notebooks in JupyterLab"

setup: $(STAMP)

$(STAMP): requirements/course.txt requirements/constraints.txt requirements/assets.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing pinned dependencies into $(VENV) (first time: about 5 minutes)..."
	$(BIN)/python -m pip install --quiet -r requirements/course.txt -c requirements/constraints.txt 2>&1 | $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements/assets.txt 2>&1 | $(QUIET_PIP)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . 2>&1 | $(QUIET_PIP)
	@touch $(STAMP)

course: setup book
	@echo
	@echo "Course built. Open the website: file://$(CURDIR)/book/_build/html/index.html"

book: setup
	TUTORIAL_PROFILE=$${TUTORIAL_PROFILE:-default} $(BIN)/jupyter-book build -W --keep-going book

test: setup lint
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 TUTORIAL_PROFILE=ci $(BIN)/python -m pytest \
		-n $(JOBS) --dist loadfile tests notebooks --nbval-lax --nbval-current-env

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lab: setup
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf book/_build .pytest_cache .ruff_cache
