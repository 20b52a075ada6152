# lerend: `make run` serves the app with a demo organisation; `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# The suite runs in one process per core (pytest-xdist); a test module stays on one worker,
# so its browser and server fixtures start once. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto

.PHONY: run test test-deep install install-dev lint typecheck messages lock bench clean screenshots

run: $(VENV)/.runtime
	$(BIN)/lerend serve --demo --host $(HOST) --port $(PORT)

test: $(VENV)/.dev
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope

# The property tests with five times as many examples (HYPOTHESIS_PROFILE: ci, dev, deep).
test-deep: $(VENV)/.dev
	HYPOTHESIS_PROFILE=deep $(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope

# Screenshots of every presenter step of the mini-vorming (nl, en) at 1280x720, for a person to
# look at; not part of CI. SHOTS=folder (default: screenshots/, ignored by git).
SHOTS ?= screenshots
screenshots: $(VENV)/.dev
	LEREND_SCREENSHOTS=$(abspath $(SHOTS)) $(BIN)/pytest -q -m browser browser_tests/test_workshops_presenter.py browser_tests/test_workshops_presenter_sizes.py
	@echo "screenshots in $(SHOTS)/"

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: $(VENV)/bin/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev
	$(BIN)/mypy .

messages: $(VENV)/.dev
	$(BIN)/lerend makemessages --locale nl --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/lerend makemessages --domain djangojs --locale nl --locale en --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(BIN)/python -m core.i18n_check --fill-en
	$(BIN)/lerend compilemessages --ignore '.venv/*'

lock:
	rm -rf /tmp/lerend-lock && $(PYTHON) -m venv /tmp/lerend-lock
	/tmp/lerend-lock/bin/pip install --quiet -e .
	{ echo "# Pinned runtime dependencies (pip freeze of 'pip install -e .'); update with 'make lock'."; \
	  /tmp/lerend-lock/bin/pip freeze --exclude-editable; } > requirements.txt

clean:
	rm -rf $(VENV) var
