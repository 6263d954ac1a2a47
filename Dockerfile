# One image for every role: SHOP_SERVICE=monolith|gateway|users|catalog|orders|inventory picks it at run time.
# BASE_IMAGE: any Debian-like image with Python 3.11 and venv; machines without a registry build their own
# (deploy/images/base/build.sh, `make images`).
ARG BASE_IMAGE=python:3.11.13-slim-bookworm
FROM ${BASE_IMAGE}

# PIP_CERT: a CA bundle for pip behind a TLS-inspecting proxy (mount it into the build with -v); empty: pip's own.
ARG PIP_CERT=""

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    SHOP_DATA_DIR=/app/data

WORKDIR /app

# Home is the writable data dir.
RUN groupadd --system --gid 10001 shop \
    && useradd --system --uid 10001 --gid shop --home-dir /app/data --no-create-home shop

# A virtual environment: Debian's system Python refuses global pip installs (PEP 668).
COPY requirements.txt .
RUN python3 -m venv "$VIRTUAL_ENV" \
    && pip install --no-cache-dir ${PIP_CERT:+--cert "$PIP_CERT"} -r requirements.txt

# Code stays root-owned (read-only for the app); only the data dir is writable.
COPY . .
RUN mkdir -p "$SHOP_DATA_DIR" && chown shop:shop "$SHOP_DATA_DIR"
# Static files (DRF's pages, Swagger UI, ReDoc) compressed under hashed names; WhiteNoise serves them.
# Dev mode only lets settings load without the runtime secrets; the files are the same in either mode.
# Its data dir (where dev mode would make a key pair) is thrown away, so no dev key is baked in.
RUN DJANGO_DEBUG=1 SHOP_DATA_DIR=/tmp/collectstatic python manage.py collectstatic --noinput -v0 \
    && rm -rf /tmp/collectstatic

USER 10001:10001

EXPOSE 8000 5001 5002 5003 5004

# The port depends on the role, so the check asks the topology (urllib: no curl in slim images).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; from shop.platform.topology import PORTS, current_role; u.urlopen(f'http://127.0.0.1:{PORTS[current_role()]}/health/', timeout=4)"]

# granian (shop/serve.py) binds 0.0.0.0 on the role's port.
CMD ["python", "-m", "shop.serve"]
