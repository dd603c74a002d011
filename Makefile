# The two commands: `make run` starts the product, `make test` runs the tests.
# Both create the virtual environment and install what is missing on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APPS := accounts analytics billing branding chat config documents tenants
CHROMIUM := /usr/bin/chromium
CHROMIUM_PACKAGES := chromium fonts-liberation

.PHONY: run test lint bench-provision bench-history bench-fanout chromium clean-data

run: $(STAMP)
	$(PY) -m config.launch run

test: $(STAMP) chromium
	$(PY) -m config.launch test -- $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy .
	$(VENV)/bin/bandit -q -c pyproject.toml -r $(APPS)

bench-provision: $(STAMP)
	$(PY) -m config.launch bench -- bench/provision.py $(ARGS)

bench-history: $(STAMP)
	$(PY) -m config.launch bench -- bench/history.py $(ARGS)

bench-fanout: $(STAMP)
	$(PY) -m config.launch bench -- bench/ws_fanout.py $(ARGS)

$(STAMP): requirements/base.txt requirements/local.txt
	@echo "==> Creating the virtual environment and installing packages (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar off -r requirements/local.txt
	@touch $(STAMP)

# Browser tests drive Debian's Chromium (tests/e2e). Installed once, as root or with
# passwordless sudo; a no-op when it is there.
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; \
	  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	  else echo "$(CHROMIUM) is missing and installing it needs root: run 'sudo apt-get install $(CHROMIUM_PACKAGES)' (Debian) or 'make chromium' as root." >&2; exit 1; fi; \
	  command -v apt-get >/dev/null 2>&1 || { echo "$(CHROMIUM) is missing and there is no apt-get: install Chromium at $(CHROMIUM)." >&2; exit 1; }; \
	  echo "==> Installing Chromium for the browser tests (first run only)"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(CHROMIUM_PACKAGES) && \
	  test -x $(CHROMIUM) || { echo "$(CHROMIUM) is still missing after installing $(CHROMIUM_PACKAGES): see apt-get's output above." >&2; exit 1; }; \
	}

clean-data:
	rm -rf .data
