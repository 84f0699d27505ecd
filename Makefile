# Two commands on a fresh clone: `make run` and `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Any scenario file: `make run SCENARIO=scenarios/iran_nuclear_2015_03.yaml`; the report is named after it.
SCENARIO ?= scenarios/ukraine_2025_08.yaml
REPORT = reports/$(basename $(notdir $(SCENARIO))).html

.PHONY: run test lint typecheck bench fuzz venv clean browser docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# After installing, the compiled kernels (numba) are built once into __pycache__ (about a minute
# and a half on 2 cores), so that no command or test pays for compiling them.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev,server,postgres,ray,docs,xlsx]'
	$(BIN)/python -m multipolar.models.warm
	touch $(STAMP)

# The sources' bytecode, written where stale: with PYTHONDONTWRITEBYTECODE set (as in many
# containers) Python never writes it, and every command would compile the package again at start.
BYTECODE = $(BIN)/python -m compileall -q src >/dev/null

# The docs need the package, MkDocs and what the tutorial's report uses (the server extra);
# `make test` installs them with everything else.
DOCS_STAMP := $(VENV)/.installed-docs
$(DOCS_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[docs,server]'
	touch $(DOCS_STAMP)

# Browser tests drive Debian's Chromium; install it when it is missing (needs root or sudo).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null 2>&1 || \
	{ $$SUDO apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium >/dev/null; } || \
	echo "warning: could not install Debian's chromium; the browser tests will be skipped" >&2

browser: $(CHROMIUM)

venv: $(STAMP)

# `multipolar run` prints what validate, summary, forecast, war and deals --top 3 print, one after
# another, then writes the report (as `multipolar report --quiet`), all in one process.
run: $(STAMP)
	@$(BYTECODE)
	@mkdir -p reports
	$(BIN)/multipolar run $(SCENARIO) -o $(REPORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck browser
	$(BIN)/python -m pytest -n 2

# Regenerate the reference pages (scenario format, command line, Python API) and the tutorials'
# shown outputs from a real run, then build the site into site/ with no warning allowed.
docs: $(DOCS_STAMP)
	$(BIN)/python -m multipolar.docs_gen
	NO_MKDOCS_2_WARNING=1 $(BIN)/python -m mkdocs build --strict --quiet

# bench/run.py prints the table of every target; any other script in bench/ (not a helper
# that run.py imports, nor the fuzzer: `make fuzz`) runs after it, each printing its figures;
# bench/summary.py then prints one table of every target from what they all wrote.
BENCH_HELPERS := bench/run.py bench/whatif.py bench/fuzz.py bench/summary.py
BENCH_SCRIPTS := $(filter-out $(BENCH_HELPERS),$(sort $(wildcard bench/*.py)))

bench: $(STAMP)
	@$(BYTECODE)
	$(BIN)/python bench/run.py
	@for script in $(BENCH_SCRIPTS); do echo "== $$script"; $(BIN)/python $$script || exit 1; done
	$(BIN)/python bench/summary.py

# 10,000 mutated scenario/BDM/KTAB files through validate and import, each under 30 s; counts
# by outcome on stdout and in bench/fuzz-results.json (FUZZ_ARGS="--cases 500" for a short run).
FUZZ_ARGS ?= --cases 10000 --workers 2 --timeout 30
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz.py $(FUZZ_ARGS)

clean:
	rm -rf $(VENV) site .pytest_cache .mypy_cache .ruff_cache .hypothesis
