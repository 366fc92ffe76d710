# Somnia: `make run` serves the journal, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3

.PHONY: run dev test bench lint format setup clean

# The stamp files re-run pip only when pyproject.toml changes.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py import_seeds
	$(BIN)/python manage.py purge_trash
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

run: setup
	@echo "Somnia is serving on http://$(HOST):$(PORT)/"
	DJANGO_DEBUG=$${DJANGO_DEBUG:-0} DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-$(HOST),localhost,127.0.0.1}" \
		$(BIN)/gunicorn journal.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --timeout 120 \
		--limit-request-line 8190 --limit-request-fields 100 --limit-request-field_size 8190 \
		--access-logfile -

dev: setup
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

# On SQLite by default; DATABASE_URL=postgres://... runs the same suite on PostgreSQL.
test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	@touch $@ $(VENV)/.installed

# Corpora of 1k, 10k and 100k dreams (BENCH_SIZES), kept in bench/out/ between runs; first,
# rendering and titles on pathological text (bench/markup.py, a few seconds), then merges and
# word differences of 100,000-character dreams (bench/versions.py).
bench: $(VENV)/.installed-bench
	$(BIN)/python bench/markup.py
	$(BIN)/python bench/versions.py
	$(BIN)/python bench/run.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
