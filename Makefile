# Every target works on a fresh clone: the first one run creates .venv and installs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever the project's metadata changes.
INSTALLED := $(VENV)/.installed
# Cekura's published spec to compare with (a file or an https:// URL): make drift UPSTREAM=...
UPSTREAM ?=
# The newest upstream spec we know of; `make test` prints the drift against it where it exists.
DRIFT_REFERENCE := ../shared/upstream-specs/cekura-openapi-2026-08-21.json

# `make` alone installs (and says how to put cekura-ws on the shell's PATH).
.DEFAULT_GOAL := install

.PHONY: install lock test lint typecheck check-generated drift-report generate drift demo bench bench-quick clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,testing,pytest]' -c constraints.txt
	touch $(INSTALLED)

install: $(INSTALLED)
	@echo "Installed into $(VENV). To use cekura-ws in this shell: . $(VENV)/bin/activate"

# Re-pin constraints.txt to what .venv holds now (after changing dependencies in pyproject.toml).
lock: $(INSTALLED)
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^cekura-ws'; } > constraints.new
	mv constraints.new constraints.txt

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

check-generated: $(INSTALLED)
	$(BIN)/python scripts/regenerate.py --check

# Coverage of cekura_wrapper/ (CLI subprocesses and the workers included) is reported after the
# tests; below the floor in pyproject.toml ([tool.coverage.report] fail_under) the target fails.
# TEST_WORKERS: pytest-xdist worker processes (make test TEST_WORKERS=0 runs the suite in one);
# 3 keep 2 cores busy while some tests wait on servers and subprocesses (4 only add overhead).
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set, and one collection (without
# coverage) writes it before the workers start: otherwise each worker and each CLI subprocess
# compiles and assertion-rewrites the same ~300 modules again (about 40 s of CPU on a fresh clone).
TEST_WORKERS ?= 3
test: lint typecheck check-generated drift-report
	rm -rf .coverage
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -qq -p no:cacheprovider > /dev/null || true  # errors show below
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m coverage run -m pytest -n $(TEST_WORKERS)
	$(BIN)/python -m coverage combine --quiet
	$(BIN)/python -m coverage report

# Report mode: known drift (exit 1 or 2) is printed and tolerated; unreadable input (3) or a
# crash of the tool (4) fails.
drift-report: $(INSTALLED)
	@if [ -f "$(DRIFT_REFERENCE)" ]; then \
		echo "drift against $(DRIFT_REFERENCE):"; \
		$(BIN)/python scripts/check_drift.py --upstream "$(DRIFT_REFERENCE)"; rc=$$?; \
		if [ $$rc -gt 2 ]; then echo "check_drift.py failed (exit $$rc)" >&2; exit 1; fi; \
	fi

# make exits 0 when check_drift.py finds no drift and 2 on any other outcome (make's own code for a
# failed recipe; its "Error N" line shows check_drift's code). For the exact code (1 info/warning
# only, 2 breaking, 3 unreadable input, 4 a bug) run .venv/bin/python scripts/check_drift.py directly.
drift: $(INSTALLED)
	@if [ -z "$(UPSTREAM)" ]; then \
		echo "make drift needs Cekura's published spec: make drift UPSTREAM=PATH_OR_HTTPS_URL" >&2; \
		echo "(maintainers with ../shared: UPSTREAM=$(DRIFT_REFERENCE))" >&2; exit 2; fi
	$(BIN)/python scripts/check_drift.py --upstream "$(UPSTREAM)"

generate: $(INSTALLED)
	$(BIN)/python scripts/regenerate.py

# The official SDK and an HTTP/2 server, for part 5 only (the bench extra in pyproject.toml).
BENCH_INSTALLED := $(VENV)/.bench-installed
$(BENCH_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,testing,bench]' -c constraints.txt
	touch $(BENCH_INSTALLED)

# Every part in a fresh interpreter; the table marks each target met or not (docs/benchmarks.md).
bench: $(BENCH_INSTALLED)
	$(BIN)/python -m benchmarks

# A subset in under a minute (fewer seeds, repeats and sizes); a test runs parts of it in make test.
bench-quick: $(INSTALLED)
	$(BIN)/python -m benchmarks --quick

demo: $(INSTALLED)
	$(BIN)/cekura-ws demo

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage build *.egg-info
