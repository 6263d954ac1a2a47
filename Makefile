# The two commands: `make run` (the monolith at http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432
BROKER_URL ?= amqp://guest:guest@127.0.0.1:5672//
REDIS_URL ?= redis://127.0.0.1:6379/0
# Unit-test databases are test_<prefix>_<app>: set DB_PREFIX to run two checkouts side by side.
DB_PREFIX ?= shop
DEV_STAFF := DJANGO_SUPERUSER_USERNAME=admin DJANGO_SUPERUSER_PASSWORD=admin-dev-only DJANGO_SUPERUSER_EMAIL=admin@example.com
# make test-services: unit tests on one PostgreSQL database per app; live stacks on PostgreSQL + RabbitMQ + Redis.
SERVICES_ENV := USERS_DATABASE_URL=$(POSTGRES_URL)/$(DB_PREFIX)_users CATALOG_DATABASE_URL=$(POSTGRES_URL)/$(DB_PREFIX)_catalog \
	ORDERS_DATABASE_URL=$(POSTGRES_URL)/$(DB_PREFIX)_orders INVENTORY_DATABASE_URL=$(POSTGRES_URL)/$(DB_PREFIX)_inventory \
	SHOP_TEST_POSTGRES_URL=$(POSTGRES_URL) SHOP_TEST_BROKER_URL=$(BROKER_URL) SHOP_TEST_REDIS_URL=$(REDIS_URL)

.PHONY: install run test test-services soak haproxy container-images split hybrid bench schema screenshots lint chromium clean podman images compose-up compose-down test-containers

# Containers under podman (docs/containers.md): images built here from Debian's packages, no registry needed.
include deploy/images/local.env
PODMAN_ENV := CONTAINERS_CONF=$(CURDIR)/deploy/containers.conf SHOP_IMAGE=$(SHOP_IMAGE) POSTGRES_IMAGE=$(POSTGRES_IMAGE) \
	RABBITMQ_IMAGE=$(RABBITMQ_IMAGE) REDIS_IMAGE=$(REDIS_IMAGE)
PODMAN_BUILD := $(PODMAN_ENV) podman build --format docker --build-arg BASE_IMAGE=$(SHOP_BASE_IMAGE)
CA_BUNDLE := /etc/ssl/certs/ca-certificates.crt
PROFILE ?= monolith
ENV_FILE ?= .env

# Production is the default; these targets run in dev mode (dev secrets, DEBUG). Tests: tests/dev_mode.py;
# live stacks, make split and the bench: tools/stack.py.
run schema: export DJANGO_DEBUG = 1

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate_all
	$(DEV_STAFF) $(PY) manage.py createsuperuser --noinput 2>/dev/null || echo "dev staff user 'admin' already exists"
	$(PY) manage.py seed_demo
	rm -rf data/metrics/monolith  # runserver has no start hook (shop.serve has) to drop a previous run's metric files
	$(DEV_STAFF) $(PY) manage.py runserver 127.0.0.1:8000

# The live cutover test's entry point (tests/ops/test_live_cutover.py, docs/cutover.md).
haproxy:
	command -v haproxy >/dev/null || (apt-get update -q && apt-get install -y -q haproxy)

# The browser test drives Debian's chromium (Playwright cannot download its own browser here).
chromium:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q chromium)

lint: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/hadolint Dockerfile

test: lint chromium
	$(PY) -m pytest

# The service-backed suite, then the split and hybrid Kubernetes overlays under `podman kube play` on this
# machine's PostgreSQL, RabbitMQ and Redis, then a bench smoke run.
test-services: lint chromium haproxy container-images
	$(SERVICES_ENV) $(PY) -m pytest
	$(CONTAINER_TESTS_ENV) $(PY) -m pytest -s $(K8S_PLAY)
	$(PY) -m bench --smoke

# The nemesis for 30 minutes (docs/faults.md, "The nemesis"): its own RabbitMQ node and Redis, this machine's PostgreSQL.
SEED ?= 1
soak: install
	SHOP_TEST_POSTGRES_URL=$(POSTGRES_URL) $(PY) -m tools.nemesis --seed $(SEED) --duration 1800 --report docs/faults.md

split: install
	$(PY) -m tools.stack split --seed

# Inventory extracted: the gateway, users,catalog,orders in one process, inventory in another (docs/topologies.md).
hybrid: install
	$(PY) -m tools.stack hybrid --seed

bench: install
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	$(PY) -m bench

schema: install
	$(PY) manage.py spectacular --file shop/openapi.yaml

screenshots: install chromium
	SHOP_UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/contract/test_browser.py -k monolith -q

clean:
	rm -rf data .pytest_cache

podman:
	command -v podman >/dev/null && command -v runc >/dev/null && command -v debootstrap >/dev/null \
		|| (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc debootstrap)

# Layers are cached by podman between runs; the base is rebuilt only when its script changes. The four images
# on the base build side by side (mostly package downloads).
images: podman
	$(PODMAN_ENV) deploy/images/base/build.sh $(SHOP_BASE_IMAGE)
	pids=""; \
	for image in postgres rabbitmq redis; do \
		$(PODMAN_BUILD) -q -t localhost/shop-$$image:local deploy/images/$$image & pids="$$pids $$!"; done; \
	$(PODMAN_BUILD) -q --build-arg PIP_CERT=$(CA_BUNDLE) -v $(CA_BUNDLE):$(CA_BUNDLE):ro -t $(SHOP_IMAGE) . & \
	pids="$$pids $$!"; \
	for pid in $$pids; do wait $$pid || exit 1; done
	$(PODMAN_ENV) podman images --filter reference='localhost/shop*'

compose-up: install
	$(PODMAN_ENV) $(PY) -m tools.compose up --profile $(PROFILE) --env-file $(ENV_FILE)

compose-down: install
	$(PODMAN_ENV) $(PY) -m tools.compose down --env-file $(ENV_FILE)

# Podman and the images where podman can be installed; elsewhere the container tests skip and say why.
container-images: install
	$(MAKE) podman || echo "podman could not be installed: the container tests will skip"
	if command -v podman >/dev/null; then $(MAKE) images; fi

# Both compose profiles on this machine's images: the contract suite, a stop/start fault, port isolation.
# (The split and hybrid Kubernetes overlays under `podman kube play` run in make test-services.)
CONTAINER_TESTS_ENV = $(PODMAN_ENV) SHOP_TEST_POSTGRES_URL=$(POSTGRES_URL) SHOP_TEST_BROKER_URL=$(BROKER_URL) \
	SHOP_TEST_REDIS_URL=$(REDIS_URL)
K8S_PLAY := tests/containers/test_k8s_play.py
test-containers: container-images
	$(CONTAINER_TESTS_ENV) $(PY) -m pytest -s tests/containers --ignore=$(K8S_PLAY)
