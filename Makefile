# Two commands run everything on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEPS := $(VENV)/.deps-$(shell cksum pyproject.toml | cut -d' ' -f1)
TEST_DEPS := $(VENV)/.test-deps-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint check browser serve

$(DEPS):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $@

$(TEST_DEPS): $(DEPS)
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@

# Migrate the embedded SQLite database, load the demo lab and serve it at http://127.0.0.1:8000/,
# with the background worker (batches of certificates) beside it. Ctrl+C reaches both, and the
# worker finishes the certificate in hand; if the server stops by itself, the worker is stopped.
run: $(DEPS)
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	trap 'trap - EXIT; wait $$worker; exit 130' INT; \
	trap 'exit 143' TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Lint, check the migrations, then the whole suite (browser tests included).
test: $(TEST_DEPS) browser lint check
	$(BIN)/pytest

lint: $(TEST_DEPS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: $(DEPS)
	mkdir -p var
	$(BIN)/python manage.py makemigrations --check --dry-run

# Debian's Chromium for the browser tests and poppler's pdftotext for reading PDFs, where missing.
browser:
	@bin/install-test-tools
