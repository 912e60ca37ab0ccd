# tinycrm: `make demo` to try it, `make test` to run the checks. Needs Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DB := .demo/crm.db
STAMP := $(VENV)/.installed
# pytest workers: one per core by default; `make test JOBS=1` runs in one process.
JOBS ?= auto
# `make bench SCALE=1m`: the growth table, each paged row at 1M contacts against 100k.
SCALE ?=

.PHONY: demo test lint bench docs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	rm -rf .demo && mkdir -p .demo
	$(BIN)/crm --db $(DEMO_DB) demo --team
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
	$(BIN)/lint-imports --no-logo

# Coverage: the files not fully covered, least first, and the total (before pytest's last line).
# pytest's exit status 5 means it collected no test: a broken selection, so it fails too.
test: lint
	@status=0; $(BIN)/pytest -n $(JOBS) -q --cov --cov-report=term:skip-covered || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

bench: $(STAMP)
	@command -v task >/dev/null || { echo "installing taskwarrior: apt-get install -y taskwarrior"; \
	  apt-get install -y taskwarrior >/dev/null 2>&1 || sudo -n apt-get install -y taskwarrior >/dev/null 2>&1 || \
	  echo "could not install it: run 'sudo apt-get install -y taskwarrior' (or 'brew install task')"; }
	$(BIN)/python bench/run.py $(if $(SCALE),--scale $(SCALE))
	@command -v wrk >/dev/null || { echo "installing wrk (the portal's load row): apt-get install -y wrk"; \
	  apt-get install -y wrk >/dev/null 2>&1 || sudo -n apt-get install -y wrk >/dev/null 2>&1 || true; }
	$(BIN)/python bench/portal_load.py

docs: $(STAMP)
	$(BIN)/python -m tinycrm.cli.docgen docs/cli.md

clean:
	rm -rf $(VENV) .demo build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .coverage .import_linter_cache .grimp_cache
