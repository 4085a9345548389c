# The two set-up commands of the README: `make run` and `make test`.
PYTHON ?= python3
PORT   ?= 5000
VENV   := .venv
BIN    := $(VENV)/bin
# Installs are re-run only when the dependency list changes.
STAMP      := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# setuptools says, at every editable install of this layout (caseapp.data.* mapped from folders at
# the root), that folders named like the package may shadow it: a note, not a problem, and the only
# line it would print. Any other warning still shows.
$(STAMP) $(TEST_STAMP): export PYTHONWARNINGS = ignore:Editable installation

.PHONY: run test install install-test serve demo bench-queue mutation translations clean

install: $(STAMP)
$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-test: $(TEST_STAMP)
$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Installs, migrates the embedded SQLite database under instance/, loads the
# demo data on first run, prints the demo logins and serves on 127.0.0.1:5000
# (another port: make run PORT=5001).
run: install
	$(BIN)/caseapp db upgrade
	$(BIN)/caseapp demo --if-empty --cases 400
	$(BIN)/caseapp serve --host 127.0.0.1 --port $(PORT)

# Installs what the tests need and runs the whole suite (SQLite; PostgreSQL
# too when CASEAPP_TEST_DATABASE_URL is set, as .ci/run does).
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmark: 100,000 cases in PostgreSQL, server time of the queue and case pages.
# Mutation testing of the rule modules (slow: not part of `make test`; docs/testing.md).
# ONLY="caseapp.core.money*" mutates only the functions whose names match.
# make mutation [MODULES="caseapp/x.py ..."] [TESTS="tests/x ..."] [ONLY="caseapp.x.y*"] [CHILDREN=n]
# The SQLite test database is built once and copied into each mutant's test session.
mutation: install-test
	rm -rf mutants .mutation-db
	CASEAPP_TEST_DB_TEMPLATE=$(CURDIR)/.mutation-db MUTATION_MODULES="$(MODULES)" MUTATION_TESTS="$(TESTS)" \
		$(BIN)/python lint/mutation_run.py run --max-children $(or $(CHILDREN),2) $(ONLY)
	$(BIN)/python lint/mutation_report.py --survivors

bench-queue: install-test
	$(BIN)/python benchmarks/queue_pages.py --cases 100000 --requests 300 $(BENCH_ARGS)

# The interface's catalogues: extract the marked words, keep their translations, compile
# (docs/translating.md). The tests fail while a marked word has no German.
translations: install-test
	$(BIN)/python lint/translations.py update

clean:
	rm -rf $(VENV) instance .pytest_cache
