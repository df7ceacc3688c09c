# Confab: the two commands are `make run` and `make test`; everything else supports them.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE_STAMP := $(VENV)/.base-installed
TEST_STAMP := $(VENV)/.test-installed
# Debian packages, installed when missing by tools/install_system_packages.sh (as root, or
# through passwordless sudo; otherwise it says what to run). gettext's msgfmt compiles the
# UI translations at setup; the browser tests drive Debian's chromium through Playwright,
# never a browser Playwright downloads; the Noto fonts draw emoji, Korean and Chinese there.
SYSTEM_BASE_PACKAGES := gettext
SYSTEM_TEST_PACKAGES := chromium fonts-noto-color-emoji fonts-noto-cjk
SYSTEM_BASE_STAMP := $(VENV)/.system-base-installed
SYSTEM_TEST_STAMP := $(VENV)/.system-test-installed
# The UI's languages besides English (Django's locale names: zh_Hans, not zh-hans).
LOCALES := ko zh_Hans fr
# pytest-xdist workers; CI machines have 2 cores.
TEST_WORKERS ?= auto

.PHONY: run test demo user lint format migrate setup setup-test messages makemessages clean-var \
	help bench bench-search

help:
	@echo "make run    set up and serve Confab on http://localhost:8065 (SQLite, no services)"
	@echo "make test   set up and run the whole test suite (and the linters)"
	@echo "make demo   fill the database with demo users, a team, channels and posts"
	@echo "make lint   ruff, mypy and the layering rules"
	@echo "make bench  the benchmarks, on PostgreSQL (DATABASE_URL, default local postgres)"
	@echo "make makemessages  refresh the translation catalogues (.po) from the source"

# Checked before the venv is made, so an old interpreter fails here with a clear message
# rather than later with a syntax or install error.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
		echo "Confab needs Python 3.11 or newer; PYTHON=$(PYTHON) is" \
			"$$(command -v $(PYTHON) >/dev/null && $(PYTHON) --version 2>&1 || echo 'not found')." >&2; \
		echo "Install Python 3.11+ and pass it, e.g.: make PYTHON=python3.11 run" >&2; \
		exit 1; }
	@# Debian's own python3 has no venv module (ensurepip) until python3-venv is installed.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || tools/install_system_packages.sh python3-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(BASE_STAMP): requirements/base.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements/base.txt
	touch $@

$(TEST_STAMP): requirements/test.txt $(BASE_STAMP)
	$(BIN)/pip install -q -r requirements/test.txt
	touch $@

# The stamps depend on the Makefile too: a package added to the lists above gets checked
# (dpkg-query is quick; apt runs only for what is missing).
$(SYSTEM_BASE_STAMP): tools/install_system_packages.sh Makefile | $(BIN)/python
	tools/install_system_packages.sh $(SYSTEM_BASE_PACKAGES)
	touch $@

$(SYSTEM_TEST_STAMP): tools/install_system_packages.sh Makefile $(SYSTEM_BASE_STAMP)
	tools/install_system_packages.sh $(SYSTEM_TEST_PACKAGES)
	touch $@

setup: $(BASE_STAMP) $(SYSTEM_BASE_STAMP) messages

setup-test: setup $(TEST_STAMP) $(SYSTEM_TEST_STAMP)

# The .mo files are built from the .po files here, not committed. compilemessages errors
# out when there is no locale directory at all, so it runs only once a .po file exists;
# it skips the .mo files that are already newer than their .po.
messages: $(BASE_STAMP) $(SYSTEM_BASE_STAMP)
	@if find . -path ./.venv -prune -o -path ./var -prune -o \
			-path '*/locale/*/LC_MESSAGES/*.po' -print | grep -q .; then \
		DJANGO_SETTINGS_MODULE=config.settings.dev \
			$(BIN)/python manage.py compilemessages --ignore=.venv -v 0; \
	fi

# Refresh the .po files from the source (then translate, and `make setup` compiles them).
# The JavaScript catalogue skips minified files: vendored libraries, not our strings.
makemessages: setup
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py makemessages \
		$(addprefix -l ,$(LOCALES)) --ignore=.venv --ignore=var
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py makemessages -d djangojs \
		$(addprefix -l ,$(LOCALES)) --ignore=.venv --ignore=var --ignore='*.min.js'

migrate: setup
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py migrate --noinput -v 0

run: migrate
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py collectstatic --noinput -v 0
	BIN=$(BIN) deploy/scripts/run-embedded.sh

demo: migrate
	DJANGO_SETTINGS_MODULE=config.settings.dev $(BIN)/python manage.py demo

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python tools/lint_rules.py

test: setup-test lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks (bench/run.py): floors, HTTP, realtime and search in one run, against a local
# PostgreSQL and Redis (BENCH_PG_URL, BENCH_REDIS_URL), printing one table and writing
# var/bench/*.json. The load generators use httpx and websockets (test requirements). QUICK=1: the small
# versions, in under two minutes.
bench: setup-test
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)

# e.g. make bench-search BENCH_SEARCH_ARGS="--posts 100000 --reseed"
bench-search: setup
	DJANGO_SETTINGS_MODULE=config.settings.bench $(BIN)/python -m bench.search $(BENCH_SEARCH_ARGS)

format: setup-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean-var:
	rm -rf var/
