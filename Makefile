# xent-book: one entry point for readers, developers and CI.
#   make book   create .venv if missing, install, build the book into _build/html
#   make test   create .venv if missing, install, run every test (unit, nbval, browser)
#   make lab    JupyterLab on 127.0.0.1 with token authentication, on chapter 1
#   make pdf    the PDF edition, _build/pdf/xent-book.pdf (after the html build; offline)
#   make check  the fast loop (< 60 s): lint, then the unit tests not marked slow or browser
#   make claims every chapter on held-out seeds (XENT_BOOK_SEEDS): every assert must pass
#   make cells  the length of the code cells a reader sees, against issue 21's targets (a report)
#   make lock   re-resolve requirements/book.lock (the whole environment, with hashes) after editing pyproject.toml
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NB ?=

.PHONY: venv book html pdf test check lint format unit nbval nbval-portable claims cells browser execute lab bench clean browsers lock

# The book's environment: PyTorch first (the pin; README: the CPU build), then every other
# package from the lock in hash-checking mode, then this project itself without dependencies.

$(STAMP): pyproject.toml requirements/book.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements/book.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# After changing a requirement in pyproject.toml: re-resolve the lock (uv, one of the dev tools).
lock:
	$(BIN)/python scripts/lock.py

venv: $(STAMP)

# Build only (the book's main job): offline assets, then Jupyter Book with warnings as errors.
html: $(STAMP)
	bash scripts/build_book.sh

# The built book as a file target: `make pdf` reuses an up-to-date _build/html
# (the pages a reader has open stay) and rebuilds it only when a source is newer.
BOOK_SOURCES := $(wildcard notebooks/*.ipynb *.md _config.yml _toc.yml references.bib book_assets/* \
	xent_book/exercises/*.py package-lock.json scripts/build_book.sh)
_build/html/index.html: $(STAMP) $(BOOK_SOURCES)
	bash scripts/build_book.sh

book: html
	@echo "Book built: open _build/html/index.html"

browsers:
	bash scripts/ensure_chromium.sh
	bash scripts/ensure_poppler.sh

# The PDF edition: a single-page build printed by Chromium (scripts/build_pdf.py).
pdf: $(STAMP) browsers _build/html/index.html
	$(BIN)/python scripts/build_pdf.py

NBVAL := --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg
# Another CPU, played on this one: ATen's portable kernels and MKL's compatible code
# path. The stored outputs must match under these too (the chapters train in float64).
PORTABLE := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE

# Lint and format (ruff, configured in pyproject.toml): the package, tests,
# scripts, benchmarks and the notebooks' code cells.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The fast loop while editing the package.
check: lint
	$(BIN)/python -m pytest -q -m "not slow and not browser" tests --ignore=tests/browser
	$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules xent_book

# The parts of `make test`, one at a time.
unit: $(STAMP)
	$(BIN)/python -m pytest tests --ignore=tests/browser

nbval: $(STAMP)
	$(BIN)/python -m pytest $(NBVAL) notebooks

nbval-portable: $(STAMP)
	$(PORTABLE) $(BIN)/python -m pytest $(NBVAL) notebooks

# Every chapter re-run on held-out seeds (XENT_BOOK_SEEDS); every assert must pass.
# Another list: make claims SEEDS=2000,2001,2002,2003,2004
claims: $(STAMP)
	$(BIN)/python scripts/check_claims.py $(if $(SEEDS),--seeds $(SEEDS))

# A report per chapter; tests/test_cell_lengths.py holds every chapter to the targets in make test.
cells: $(STAMP)
	$(BIN)/python scripts/cell_stats.py $(NB)

browser: $(STAMP) browsers html
	$(BIN)/python -m pytest tests/browser

# The test command README gives and .ci/run calls.
test: lint browsers html pdf
	$(BIN)/python -m pytest $(NBVAL) tests notebooks
	$(PORTABLE) $(BIN)/python -m pytest $(NBVAL) notebooks
	$(BIN)/python scripts/check_claims.py

execute: $(STAMP)
	$(BIN)/python scripts/execute_notebooks.py $(NB)

lab: $(STAMP)
	bash scripts/lab.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf _build
