# The two commands: `make run` starts the product, `make test` runs the tests.
# Both create the virtual environment and install what is missing on first use.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APPS := accounts analytics billing branding chat config documents tenants
CHROMIUM := /usr/bin/chromium
CHROMIUM_PACKAGES := chromium fonts-liberation fonts-noto-color-emoji
PDFTOTEXT := /usr/bin/pdftotext
CADDY := /usr/bin/caddy
TESSERACT := /usr/bin/tesseract
PDFTOPPM := /usr/bin/pdftoppm

.PHONY: run test lint vendor npm bench-provision bench-history bench-fanout bench-extract bench-domains bench-billing bench-analytics bench-ocr bench-quick chromium caddy ocr clean-data

run: $(STAMP) vendor ocr
	$(PY) -m config.launch run

test: $(STAMP) vendor chromium caddy ocr
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

bench-domains: $(STAMP)
	$(PY) -m config.launch bench -- bench/domains.py $(ARGS)

bench-billing: $(STAMP)
	$(PY) -m config.launch bench -- bench/billing.py $(ARGS)

bench-analytics: $(STAMP)
	$(PY) -m config.launch bench -- bench/analytics.py $(ARGS)

# Every benchmark in its quick mode, so none rots unnoticed (CI runs this; the figures of a
# quick run are no measurement). All share one database, migrated once; BENCH_DATABASE_SUFFIX
# set in the environment names another.
bench-quick: export BENCH_DATABASE_SUFFIX ?= _bench_quick
bench-quick: $(STAMP)
	$(MAKE) bench-provision ARGS="--levels 10 --samples 5 --skip-baseline"
	$(MAKE) bench-history ARGS="--messages 20000 --samples 30"
	$(MAKE) bench-fanout ARGS="--quick"
	$(MAKE) bench-fanout ARGS="--mode closed-loop --quick"
	$(MAKE) bench-fanout ARGS="--mode handshake --quick"
	$(MAKE) bench-domains ARGS="--quick"
	$(MAKE) bench-billing ARGS="--quick"
	$(MAKE) bench-analytics ARGS="--quick"
	$(MAKE) bench-extract ARGS="--quick"
	$(MAKE) bench-ocr ARGS="--quick"

# The extraction benchmark compares with poppler's pdftotext, from Debian's poppler-utils.
bench-extract: $(STAMP)
	$(call debian_install,$(PDFTOTEXT),poppler-utils,poppler's pdftotext for the extraction benchmark)
	$(PY) -m config.launch bench -- bench/extract.py $(ARGS)

# OCR of a 20-page scan made in the run, against the tesseract CLI alone on the same images.
bench-ocr: $(STAMP) ocr
	$(PY) -m config.launch bench -- bench/ocr.py $(ARGS)

$(STAMP): requirements/base.txt requirements/local.txt
	@echo "==> Creating the virtual environment and installing packages (first run only)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --progress-bar off -r requirements/local.txt
	@touch $(STAMP)

# Front-end packages from npm (config/vendor/package-lock.json) copied into static/vendor/.
vendor:
	@command -v npm >/dev/null 2>&1 || $(MAKE) --no-print-directory npm
	$(PY) config/vendor/build.py

npm:
	$(call debian_install,/usr/bin/npm,nodejs npm,Node.js and npm for the front-end packages)

# Scanned pages are read by OCR (documents/ocr.py): Debian's Tesseract with its English data, and
# poppler's pdftoppm to render a page.
ocr:
	$(call debian_install,$(TESSERACT),tesseract-ocr tesseract-ocr-eng,Tesseract for reading scanned pages)
	$(call debian_install,$(PDFTOPPM),poppler-utils,poppler's pdftoppm for reading scanned pages)

# Browser tests drive Debian's Chromium (tests/e2e).
chromium:
	$(call debian_install,$(CHROMIUM),$(CHROMIUM_PACKAGES),Chromium for the browser tests)

# The TLS front end (config/Caddyfile): Debian's Caddy, for the on-demand TLS tests and production.
caddy:
	$(call debian_install,$(CADDY),caddy,Caddy for the TLS front-end tests)

# $(call debian_install,program,packages,what for): install Debian packages once, as root or with
# passwordless sudo, unless `program` is already there.
define debian_install
@test -x $(1) || { \
  if [ "$$(id -u)" = 0 ]; then sudo=""; \
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
  else echo "$(1) is missing and installing it needs root: run 'sudo apt-get install $(2)' (Debian), or make as root." >&2; exit 1; fi; \
  command -v apt-get >/dev/null 2>&1 || { echo "$(1) is missing and there is no apt-get: install $(2)." >&2; exit 1; }; \
  echo "==> Installing $(3) (first run only)"; \
  $$sudo apt-get update -qq && \
  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2) && \
  test -x $(1) || { echo "$(1) is still missing after installing $(2): see apt-get's output above." >&2; exit 1; }; \
}
endef

clean-data:
	rm -rf .data
