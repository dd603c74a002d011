# The two commands: `make run` starts the product, `make test` runs the tests.
# Both create the virtual environment and install what is missing on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APPS := accounts analytics billing branding chat config documents tenants

.PHONY: run test lint bench-provision clean-data

run: $(STAMP)
	$(PY) -m config.launch run

test: $(STAMP)
	$(PY) -m config.launch test -- $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=config.settings.test $(VENV)/bin/mypy .
	$(VENV)/bin/bandit -q -c pyproject.toml -r $(APPS)

bench-provision: $(STAMP)
	$(PY) -m config.launch bench -- bench/provision.py $(ARGS)

$(STAMP): requirements/base.txt requirements/local.txt
	@echo "==> Creating the virtual environment and installing packages (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar off -r requirements/local.txt
	@touch $(STAMP)

clean-data:
	rm -rf .data
