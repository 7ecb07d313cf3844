# Two commands: `make run` (set up, load the demo, serve on http://127.0.0.1:8000) and
# `make test` (set up, run the whole suite on SQLite, then again on a throwaway PostgreSQL).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run worker test test-sqlite test-postgres lint messages bench bench-serve check-deploy clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# The worker (opens and closes POs on time, expires unpaid orders, sends messages) runs beside
# the web server and stops with it. Links in messages point to the address served (PORT=8100
# gives :8100 links) unless OPENPO_SITE_URL says otherwise. Ctrl-C reaches the worker too, so
# stopping it again may find it gone: that is quiet.
run: $(STAMP)
	export OPENPO_SITE_URL=$${OPENPO_SITE_URL:-http://$(HOST):$(PORT)} \
	  OPENPO_HTTPS=$${OPENPO_HTTPS:-0}; \
	$(BIN)/openpo demo || exit $$?; \
	$(BIN)/openpo worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null; trap - EXIT' EXIT INT TERM; \
	$(BIN)/openpo serve --host $(HOST) --port $(PORT)

worker: $(STAMP)
	$(BIN)/openpo worker

test: test-sqlite test-postgres

test-sqlite: $(STAMP)
	$(BIN)/pytest

# The same suite against a real PostgreSQL server that the test setup starts in a temp dir.
test-postgres: $(STAMP)
	$(BIN)/pytest --postgres

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the Indonesian catalogue and compile it (needs GNU gettext; the .mo is committed).
messages: $(STAMP)
	cd src/openpo && ../../$(BIN)/openpo makemessages -l id --no-obsolete --add-location file
	cd src/openpo && ../../$(BIN)/openpo compilemessages -l id

bench: $(STAMP)
	$(BIN)/python bench/war_po.py --db both
	$(BIN)/python bench/parse_orders.py

bench-serve: $(STAMP)
	$(BIN)/python bench/serve_servers.py

# Bring the production recipe (deploy/) up on this machine and smoke-test it through nginx
# (as root; installs nginx, PostgreSQL and Redis from Debian packages). Not part of `make test`.
check-deploy:
	deploy/check.sh

clean:
	rm -rf $(VENV) var/test*.sqlite3* .pytest_cache
