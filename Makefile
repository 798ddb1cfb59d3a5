# Everything runs from .venv, built from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo needs the package alone (aiohttp, attrs, cattrs, aiolimiter), not the tools.
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: test lint types unit demo bench bench-smoke docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(STAMP) $(DEMO_STAMP)

$(DEMO_STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	@echo "building $(VENV) with the package alone (make test adds the test tools)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(DEMO_STAMP)

lint: $(STAMP)
	$(BIN)/ruff check eeo_async tests scripts $(wildcard benchmarks)
	$(BIN)/ruff format --check eeo_async tests scripts $(wildcard benchmarks)

# The package, a user's script and every README snippet (tests/typed/), mypy --strict too.
types: $(STAMP)
	$(BIN)/mypy eeo_async
	MYPYPATH=tests/typed_stubs $(BIN)/mypy --strict tests/typed

# coverage starts before pytest, so the modules the eeo_sandbox plugin imports early count.
unit: $(STAMP)
	$(BIN)/python -m coverage run -m pytest
	$(BIN)/python -m coverage report --fail-under=90

test: lint types unit

demo: $(DEMO_STAMP)
	$(BIN)/eeo-async demo

# Every table, a few minutes; e.g. BENCH_ARGS="--only profile" for one benchmark.
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-smoke: $(STAMP)
	$(BIN)/python benchmarks/run.py --smoke $(BENCH_ARGS)

# The README's table of actions and docs/api.md, from the rows.
docs: $(STAMP)
	$(BIN)/python scripts/api_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage
