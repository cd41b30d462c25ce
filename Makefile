# Every target works on a fresh clone: the first one run creates .venv and installs into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever the project's metadata changes.
INSTALLED := $(VENV)/.installed
UPSTREAM ?= ../shared/upstream-specs/cekura-openapi-2026-08-21.json

.PHONY: install test lint typecheck check-generated generate drift demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

check-generated: $(INSTALLED)
	$(BIN)/python scripts/regenerate.py --check

test: lint typecheck check-generated
	$(BIN)/python -m pytest

generate: $(INSTALLED)
	$(BIN)/python scripts/regenerate.py

demo: $(INSTALLED)
	@echo "make demo: not yet - the embedded emulator demo lands with issue #4." >&2
	@exit 1

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
