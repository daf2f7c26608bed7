# `make conformance` runs the suite (against the bundled mock unless .env says otherwise);
# `make test` runs the project's own checks. Both create .venv on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# Extra pytest arguments, e.g. make conformance ARGS="--target=creatio --env-file=staging.env"
ARGS   ?=

.PHONY: conformance test selftest selftest-checks selftest-kill-matrix mock-run unit lint venv clean kill-matrix calibrate docs generations chromium

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (PYTHON=$(PYTHON) is %d.%d)" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The scenarios in flight together, one pytest-xdist worker per core, four at most: the most the self-tests
# show sharing one Creatio (tests/selftest/test_xdist.py), and no more admin sessions than that on a real
# instance (WORKERS=0: all in this one process). loadgroup hands out one test at a time, so the lifecycle
# search runs in parts that spread over the workers (src/oauth_conformance/search/parts.py).
WORKERS ?= auto
conformance: $(STAMP)
	$(BIN)/pytest -n $(WORKERS) --maxprocesses=4 --dist loadgroup $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src steps tests calibration tools conftest.py bench
	$(BIN)/mypy

# Each registered check on canned observations: held and violated (tests/unit), milliseconds each.
unit: $(STAMP)
	$(BIN)/pytest tests/unit -q $(ARGS)

# docs/checks.md, generated from the catalogue, the check registry, the features and the defects.
docs: $(STAMP)
	$(BIN)/python tools/checks_doc.py

# The README's table of what runs, skips and passes on each Creatio generation (from the clean mock runs).
generations: $(STAMP)
	$(BIN)/python -m tools.generations

# Headless Chromium (Debian's package) for the self-test that renders reports/conformance.html. Installed
# only when missing; the package lists are refreshed only when the install fails without them.
chromium:
	@test -x /usr/bin/chromium || DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
		|| { DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; }

# The self-tests but the kill matrix, on both cores: the tests of a file whose fixtures are shared (a
# server, a child run) stay on one worker (its xdist_group, scheduled by tests/selftest/_scheduling.py),
# the others spread one by one.
selftest-checks: $(STAMP) chromium
	$(BIN)/pytest tests/unit tests/selftest --ignore=tests/selftest/test_kill_matrix.py --reports-dir=reports/selftest \
		-n 2 --dist loadgroup -q $(ARGS)

# The kill matrix's assertions over one matrix run (which leaves reports/kill-matrix.{json,md}); a reports
# folder of its own, so that it can run beside the other self-tests.
selftest-kill-matrix: $(STAMP)
	$(BIN)/pytest tests/selftest/test_kill_matrix.py --reports-dir=reports/selftest-kill-matrix \
		--junitxml=reports/selftest-kill-matrix/junit.xml -q $(ARGS)

selftest: selftest-checks selftest-kill-matrix

# The suite against the mock with every seeded defect and benign variant: reports/kill-matrix.{json,md}
kill-matrix: $(STAMP)
	$(BIN)/python -m tools.killmatrix --reports-dir reports

# The standards checks against two independent servers (django-oauth-toolkit, Authlib): every FAIL is
# either a waived deviation of that server (profiles/calibration-<server>.toml) or a suite bug.
calibrate: $(STAMP)
	$(BIN)/python -m calibration.run --reports-dir reports/calibration

# The whole suite against the bundled mock, whose HTML report must render in headless Chromium with every
# requirement row visible (screenshot: reports/conformance.png).
mock-run: $(STAMP) chromium
	OAUTH_TARGET=mock $(BIN)/pytest -q
	$(BIN)/python tools/render_check.py reports/conformance.html

# The project's own tests: lint, then at once (each in its own reports folder, their output shown whole as
# each ends) the unit tests of the checks and the self-tests, the kill matrix, the calibration and the run
# against the bundled mock. Together they keep both cores busy until the last ends.
test: lint
	$(MAKE) --no-print-directory -j 4 --output-sync=target selftest-checks selftest-kill-matrix calibrate mock-run

clean:
	rm -rf $(VENV) reports/junit.xml reports/selftest reports/selftest-kill-matrix reports/calibration reports/kill-matrix.* reports/allure-results reports/conformance.* reports/evidence.jsonl reports/hypothesis
