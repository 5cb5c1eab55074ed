# Two commands: `make run` starts the product, `make test` checks it. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python

.PHONY: run test lint format messages clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

run: $(VENV)/.installed messages
	$(PY) scripts/services.py run

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint messages
	bash scripts/ensure_chromium.sh
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) scripts/services.py exec -- $(PY) -m pytest $(PYTEST_ARGS)

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf .run staticfiles
