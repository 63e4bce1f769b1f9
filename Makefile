# Everything an operator or developer runs. `make up` and `make test` do all setup themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
# Every installable package: the shared library, its test fixtures, the gateway, each service.
PACKAGES := shared shared/testing gateway $(wildcard services/*)
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: up down logs status test test-unit test-integration test-e2e lint bench forecast-eval fuzz chaos soak lock clean

# pip's own output (and the "compat" editable mode's warnings) goes to var/install.log; a
# failure shows its last lines.
$(VENV)/.installed: $(PYPROJECTS) requirements-dev.txt requirements.lock
	@mkdir -p var
	@echo "install   dependencies into $(VENV) (log: var/install.log)"
	@{ test -x $(PY) || python3 -m venv $(VENV); } > var/install.log 2>&1 \
	&& $(PY) -m pip install -q --upgrade pip >> var/install.log 2>&1 \
	&& $(PY) -m pip install -q --config-settings editable_mode=compat -c requirements.lock \
		$(addprefix -e ,$(PACKAGES)) -r requirements-dev.txt >> var/install.log 2>&1 \
	|| { echo "install failed; the last lines of var/install.log:"; tail -n 20 var/install.log; exit 1; }
	@touch $@

up: $(VENV)/.installed
	@$(PY) deploy/local/erpctl.py up

down:
	@test -x $(PY) && $(PY) deploy/local/erpctl.py down || true

status: $(VENV)/.installed
	$(PY) deploy/local/erpctl.py status

logs: $(VENV)/.installed
	$(PY) deploy/local/erpctl.py logs

test: $(VENV)/.installed
	$(PY) -m pytest

test-unit: $(VENV)/.installed
	$(PY) -m pytest -m "not integration and not e2e"

test-integration: $(VENV)/.installed
	$(PY) -m pytest -m integration

test-e2e: $(VENV)/.installed
	$(PY) -m pytest -m e2e

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Orders of 1 and 3 lines on SQLite and on PostgreSQL, each line appended to docs/performance.md.
bench: $(VENV)/.installed
	$(PY) bench/place_orders.py --lines 1
	$(PY) bench/place_orders.py --lines 3
	$(PY) bench/place_orders.py --lines 1 --postgres
	$(PY) bench/place_orders.py --lines 3 --postgres
	$(PY) bench/stock_ledger.py
	$(PY) bench/order_import.py
	$(PY) bench/customer_search.py
	$(PY) bench/analytics_reports.py
	$(PY) bench/forecast_catalogue.py
	$(PY) bench/console_pages.py

# Forecast accuracy on real public sales series (held-out backtests through the HTTP API).
forecast-eval: $(VENV)/.installed
	$(PY) -m pip install -q -c requirements.lock -r requirements-eval.txt
	$(PY) bench/forecast_eval.py

# Every API operation fuzzed by schemathesis (all checks, all phases) against a seeded system.
fuzz: $(VENV)/.installed
	$(PY) bench/fuzz_api.py

# Rounds of thousands of orders while the broker, workers and database connections fail;
# then every invariant of DESIGN.md checked (bench/chaos.py --help for the knobs).
chaos: $(VENV)/.installed
	$(PY) bench/chaos.py

# Half of the peak mixed load for 30 minutes, sampled each minute: docs/soak.png.
soak: $(VENV)/.installed
	$(PY) -m pip install -q -c requirements.lock -r requirements-soak.txt
	$(PY) bench/soak.py

# Pin what the venv holds now as the versions everyone installs.
lock: $(VENV)/.installed
	{ sed -n "1,2p" requirements.lock; $(PY) -m pip freeze --exclude-editable | grep -v "@ file"; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean: down
	rm -rf var
