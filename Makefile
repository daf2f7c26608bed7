# `make conformance` runs the suite (against the bundled mock unless .env says otherwise);
# `make test` runs the project's own checks. Both create .venv on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Extra pytest arguments, e.g. make conformance ARGS="--target=creatio --env-file=staging.env"
ARGS   ?=

.PHONY: conformance test selftest lint venv clean kill-matrix

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (PYTHON=$(PYTHON) is %d.%d)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

conformance: $(STAMP)
	$(BIN)/pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src steps tests conftest.py bench
	$(BIN)/mypy

selftest: $(STAMP)
	$(BIN)/pytest tests/selftest --reports-dir=reports/selftest -n 2 --dist loadfile -q $(ARGS)

# The suite against the mock with every seeded defect and benign variant: reports/kill-matrix.{json,md}
kill-matrix: $(STAMP)
	$(BIN)/python -m oauth_conformance.killmatrix --reports-dir reports

# The project's own tests: lint, the self-tests, then the whole suite against the bundled mock.
test: lint selftest
	OAUTH_TARGET=mock $(BIN)/pytest -q

clean:
	rm -rf $(VENV) reports/junit.xml reports/selftest reports/allure-results reports/conformance.* reports/evidence.jsonl
