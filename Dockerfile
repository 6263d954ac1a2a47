# One image for every role: SHOP_SERVICE=monolith|gateway|users|catalog|orders|inventory picks it at run time.
FROM python:3.11.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SHOP_DATA_DIR=/app/data

WORKDIR /app

RUN groupadd --system --gid 10001 shop \
    && useradd --system --uid 10001 --gid shop --home-dir /app --no-create-home shop

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# Code stays root-owned (read-only for the app); only the data dir is writable.
COPY . .
RUN mkdir -p "$SHOP_DATA_DIR" && chown shop:shop "$SHOP_DATA_DIR"
# Static files (DRF's pages, Swagger UI, ReDoc) compressed under hashed names; WhiteNoise serves them.
# Dev mode only lets settings load without the runtime secrets; the files are the same in either mode.
RUN DJANGO_DEBUG=1 python manage.py collectstatic --noinput -v0

USER 10001:10001

EXPOSE 8000 5001 5002 5003 5004

# The port depends on the role, so the check asks the topology (urllib: no curl in slim images).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; from shop.platform.topology import PORTS, current_role; u.urlopen(f'http://127.0.0.1:{PORTS[current_role()]}/health/', timeout=4)"]

# gunicorn.conf.py (read by default) binds 0.0.0.0 on the role's port.
CMD ["gunicorn", "shop.wsgi"]
