# OCS: `make run` starts the demo school, `make test` runs the tests.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3.13 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The demo's mail gets return paths bounces+…@bounces.ocs.localhost (VERP); the bounce intake
# beside the sink takes reports for them in on BOUNCE_PORT.
DEV_ENV := OCS_DEBUG=true OCS_BOUNCE_DOMAIN=bounces.ocs.localhost
PORT ?= 8000
MAIL_PORT ?= 1025
BOUNCE_PORT ?= 2526
# Links in the demo's mail point at the port the server runs on.
SITE_URL ?= http://127.0.0.1:$(PORT)
# The demo's web server: two processes of four threads each (so simultaneous parents are
# served side by side, as in production), reloading on code changes. Static files come from
# WhiteNoise, which finds them in the apps while OCS_DEBUG is on.
WEB_ARGS := --workers 2 --threads 4 --reload --no-control-socket --access-logfile -

.PHONY: install run test lint format messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
	  { echo "OCS needs Python 3.12 or newer (found $$($(PYTHON) --version))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) messages
	mkdir -p var

messages:
	@command -v msgfmt >/dev/null || { echo "msgfmt missing: apt-get install gettext"; exit 1; }
	@for po in $$(find . -path ./.venv -prune -o -name django.po -print); do \
	  msgfmt --check -o "$${po%.po}.mo" "$$po" || exit 1; done

run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	@echo "Mail sent by OCS: http://127.0.0.1:$(PORT)/_dev/mail/"
	@trap 'kill 0' EXIT INT TERM; \
	$(DEV_ENV) SMTP_PORT=$(MAIL_PORT) $(BIN)/python manage.py mailsink --port $(MAIL_PORT) & \
	$(DEV_ENV) $(BIN)/python manage.py bounce_intake --port $(BOUNCE_PORT) & \
	$(DEV_ENV) SMTP_PORT=$(MAIL_PORT) SITE_URL=$(SITE_URL) $(BIN)/python manage.py db_worker --queue-name '*' --interval 0.5 & \
	$(DEV_ENV) SMTP_PORT=$(MAIL_PORT) SITE_URL=$(SITE_URL) $(BIN)/gunicorn ocs.wsgi $(WEB_ARGS) --bind 127.0.0.1:$(PORT) & \
	wait

test: install
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
