# tinycrm: `make demo` to try it, `make test` to run the checks. Needs Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := .demo/crm.db
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	rm -rf .demo && mkdir -p .demo
	$(BIN)/crm --db $(DEMO_DB) demo
	@echo
	@echo "== Today's follow-up queue =="
	$(BIN)/crm --db $(DEMO_DB) follow-ups today
	@echo
	@echo "== Today's digest =="
	$(BIN)/crm --db $(DEMO_DB) digest
	@echo
	@echo "Try: $(BIN)/crm --db $(DEMO_DB) tui"

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

docs: $(STAMP)
	$(BIN)/python -m tinycrm.cli.docgen docs/cli.md

clean:
	rm -rf $(VENV) .demo build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
