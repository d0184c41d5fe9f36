# `make run`: set up from nothing and serve the demo at http://127.0.0.1:8000
# `make test`: set up from nothing and run ruff, import-linter's layer contracts, mypy and pytest.
# Both use PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set, the embedded default otherwise.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev vendor migrate lint typecheck pytest worker beat consumer clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

# Browser libraries (package.json, locked): npm ci, then the one built file each page loads (and its
# source map, which collectstatic's manifest follows) copied into static/vendor/, which git ignores.
# Without npm the pages still work: the dashboard shows its tables without charts.
VENDOR := static/vendor/chart.umd.min.js
$(VENDOR): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && mkdir -p static/vendor && \
		cp node_modules/chart.js/dist/chart.umd.min.js node_modules/chart.js/dist/chart.umd.min.js.map static/vendor/; \
	else \
		echo "npm not found: the creator dashboard will show its tables without charts"; \
	fi
vendor: $(VENDOR)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

run: migrate vendor
	$(BIN)/python manage.py seed_demo --if-empty
	$(BIN)/python manage.py seed_moderation_demo --if-empty
	$(BIN)/python manage.py train_ranker --if-none
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python -m feedsite.serve --host $(HOST) --port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: setup-dev
	$(BIN)/mypy .

# One worker per core (pytest-xdist), each with its own test database and Redis database
# (tests/settings.py). Exit code 5 is pytest's "no tests collected": not a failure of the suite.
pytest: setup-dev vendor
	$(BIN)/pytest -n auto $(PYTEST_ARGS) || [ $$? -eq 5 ]

test: lint typecheck pytest

worker: setup
	$(BIN)/celery -A feedsite worker --loglevel INFO --queues default,ingestion,training,media,messages

beat: setup
	$(BIN)/celery -A feedsite beat --loglevel INFO

clean:
	rm -rf $(VENV) var node_modules static/vendor
