# The commands of README.md: `make run`, `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

# Tests run against PostgreSQL and Redis on this machine unless told otherwise.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/compliance_tracker
TEST_BROKER_URL ?= redis://127.0.0.1:6379/0

.PHONY: run serve test install lint typecheck migrations-check pytest services-check test-deps bench clean \
	messages

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: the application on embedded defaults (SQLite, file-system Celery broker).
## PORT=8001 make run to use another port.
run: $(STAMP)
	@scripts/run-dev

## make serve: the production shape (gunicorn, Celery worker and beat) on DATABASE_URL and
## CELERY_BROKER_URL with production settings; the entry points of the Dockerfile too.
serve: $(STAMP)
	@scripts/entrypoint all

## make test: lint, types, migrations check and the test suite on PostgreSQL and Redis.
test: $(STAMP) services-check test-deps lint typecheck migrations-check pytest

services-check:
	@scripts/check-services "$(TEST_DATABASE_URL)" "$(TEST_BROKER_URL)"

test-deps:
	@scripts/ensure-test-deps

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy .

migrations-check: $(STAMP)
	DATABASE_URL="$(TEST_DATABASE_URL)" DJANGO_SETTINGS_MODULE=config.settings.test \
		$(PY) manage.py makemigrations --check --dry-run

pytest: $(STAMP)
	DATABASE_URL="$(TEST_DATABASE_URL)" CELERY_BROKER_URL="$(TEST_BROKER_URL)" \
		$(BIN)/pytest $(PYTEST_ARGS)

## make messages: extract marked strings into locale/<lang>/LC_MESSAGES/django.po, compile
## the .mo (needs gettext's msgfmt) and print what still needs a translator.
MESSAGE_LOCALES ?= es
MESSAGE_IGNORES := --ignore=.venv --ignore=node_modules --ignore=var --ignore='*.egg-info'
messages: $(STAMP)
	DJANGO_DEBUG=true $(PY) manage.py makemessages $(addprefix -l ,$(MESSAGE_LOCALES)) \
		--no-obsolete $(MESSAGE_IGNORES)
	DJANGO_DEBUG=true $(PY) manage.py compilemessages $(addprefix -l ,$(MESSAGE_LOCALES)) \
		$(MESSAGE_IGNORES)
	@scripts/translation-status || true

## make bench: every benchmark (BENCHMARKS.md); installs wrk (Debian) when missing.
bench: $(STAMP)
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
	DATABASE_URL="$(TEST_DATABASE_URL)" \
		CACHE_URL="$(TEST_BROKER_URL)" $(PY) -m benchmarks

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
