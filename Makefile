# Stillpoint: `make run` serves the API locally, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
DATA_DIR ?= var
PYTEST_ARGS ?=
# `make run` embeds localstripe on loopback; LOCALSTRIPE=0 uses the STRIPE_* env (real Stripe).
LOCALSTRIPE ?= 1
LOCALSTRIPE_PORT ?= 8420
LOCALSTRIPE_WEBHOOK_SECRET ?= whsec_localstripe_dev

export DATA_DIR

.PHONY: help venv dev run migrate ensure-redis test test-sqlite test-postgres test-fuzz lint format clean

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "              with the job consumer and localstripe beside it"
	@echo "make test   - install dev tools, run the suite on SQLite and on a throwaway PostgreSQL,"
	@echo "              then fuzz the API from its schema"
	@echo "make lint   - ruff check and format check"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(DEV_STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(STAMP)

venv: $(STAMP)

dev: $(DEV_STAMP)

migrate: $(STAMP)
	@mkdir -p $(DATA_DIR)
	$(BIN)/python manage.py migrate --noinput

# The server, the job consumer (run_huey: outbox delivery, hold expiry and the other periodic
# jobs) and localstripe run together: Ctrl-C, or the server exiting, stops all three.
run: migrate
	$(BIN)/python manage.py seed_demo --practitioners 300 --if-empty
	$(BIN)/python manage.py seed_demo_reviews --if-empty
ifeq ($(LOCALSTRIPE),1)
	@$(BIN)/python -c "import localstripe" 2>/dev/null || $(BIN)/pip install --quiet ".[local]"
endif
	@pids=""; trap 'kill $$pids 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	if [ "$(LOCALSTRIPE)" = 1 ]; then \
		$(BIN)/python -m devtools.localstripe_server --port $(LOCALSTRIPE_PORT) --data-dir $(DATA_DIR) \
			--webhook-url http://127.0.0.1:8000/api/v1/payments/stripe/webhook/ \
			--webhook-secret $(LOCALSTRIPE_WEBHOOK_SECRET) >$(DATA_DIR)/localstripe.log 2>&1 & \
		pids="$$pids $$!"; \
		echo "localstripe on http://127.0.0.1:$(LOCALSTRIPE_PORT) (log: $(DATA_DIR)/localstripe.log)"; \
		export STRIPE_API_BASE=http://127.0.0.1:$(LOCALSTRIPE_PORT) STRIPE_CONNECT=false \
			STRIPE_WEBHOOK_SECRET=$(LOCALSTRIPE_WEBHOOK_SECRET); \
	fi; \
	$(BIN)/python manage.py run_huey >$(DATA_DIR)/worker.log 2>&1 & \
	pids="$$pids $$!"; \
	echo "job consumer (manage.py run_huey) running (log: $(DATA_DIR)/worker.log)"; \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: test-sqlite test-postgres test-fuzz

# tests/jobs/ start a throwaway redis-server: install Debian's package when it is missing.
ensure-redis:
	@.ci/ensure-redis

test-sqlite: $(DEV_STAMP) ensure-redis
	@echo "=== pytest on SQLite ==="
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: $(DEV_STAMP) ensure-redis
	@echo "=== pytest on PostgreSQL ==="
	.ci/with-postgres $(BIN)/pytest $(PYTEST_ARGS)

test-fuzz: $(DEV_STAMP)
	@echo "=== schemathesis against the running app, per role ==="
	$(BIN)/python -m tests.fuzz

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(DATA_DIR) .pytest_cache
