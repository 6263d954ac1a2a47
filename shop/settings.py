"""Settings for every role, read from the environment (django-environ) with dev defaults."""
import os
import socket
from datetime import timedelta
from pathlib import Path

import environ

from shop.platform.config import stores
from shop.platform.observability.logs import logging_config
from shop.platform.config.secrets import MIN_TOKEN_LENGTH, RoleSecrets
from shop.platform.topology import APPS, PORTS, current_role, default_port, is_service, issues_user_tokens, owned_apps

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SHOP_SERVICE = current_role()  # monolith, gateway, or the apps this process hosts ("users,catalog,orders")
SHOP_APPS = owned_apps(SHOP_SERVICE)
DATA_DIR = Path(env.str("SHOP_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

# Production is the default: dev mode (dev secrets, DEBUG) only with DJANGO_DEBUG=1.
DEBUG = env.bool("DJANGO_DEBUG", False)
_secrets = RoleSecrets(env.str, role=SHOP_SERVICE, debug=DEBUG, data_dir=DATA_DIR,
                       env_example=BASE_DIR / ".env.example")
SECRET_KEY = _secrets.secret("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"] if DEBUG else ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    *[f"shop.{app}" for app in SHOP_APPS],  # first, so shop.users' createsuperuser wins over Django's
    "shop.platform",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from the shop: no CDN, pinned by requirements.txt
    "django_filters",
    "corsheaders",
    "health_check",
    # the issuers keep the refresh tokens they issued and those spent (rotation, logout), in the users database
    *(["rest_framework_simplejwt.token_blacklist"] if issues_user_tokens(SHOP_SERVICE) else []),
]

# Prometheus: multiprocess mode, one directory per role and host; it must be in the environment before
# prometheus_client is first imported. Per host: a process's files are named by its pid, so processes of
# two pods or containers (pid namespaces of their own) must never share a directory, even on one volume.
SHOP_METRICS = env.bool("SHOP_METRICS", True)
# The operators' bearer token: /metrics and the details of /health/. Production needs a real one while
# /metrics is on; dev mode without one leaves both open.
SHOP_METRICS_TOKEN = _secrets.secret("SHOP_METRICS_TOKEN", min_length=MIN_TOKEN_LENGTH, needed=SHOP_METRICS)
SHOP_METRICS_PORT = env.int("SHOP_METRICS_PORT", 0)  # Celery workers serve /metrics here when set
SHOP_METRICS_DIR = Path(env.str("SHOP_METRICS_DIR", str(DATA_DIR / "metrics" / SHOP_SERVICE / socket.gethostname())))
SHOP_METRICS_DIR.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(SHOP_METRICS_DIR)  # never inherited from another role's process

# Middleware only an answer rendered in this process uses: ETags and 304s, host and slash checks, sessions, CSRF.
# The gateway's forwarded answers were rendered by a service, through these already: in the gateway they wrap
# only the gateway's own pages (shop/gateway/urls.py), so a forwarded request does not pay for them twice.
RENDERING_MIDDLEWARE = [
    "django.middleware.http.ConditionalGetMiddleware",  # ETag on every GET; If-None-Match → 304
    "django.middleware.common.CommonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",  # DRF's token-authenticated views are exempt
]
MIDDLEWARE = [
    *(["shop.platform.observability.metrics.MetricsMiddleware"] if SHOP_METRICS else []),
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # answers preflights before any authentication
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files under the web server too, before any other work
    "shop.platform.observability.request_id.RequestIdMiddleware",
    "shop.platform.api.body_limit.BodySizeLimitMiddleware",
    *(RENDERING_MIDDLEWARE if SHOP_SERVICE != "gateway" else []),
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if SHOP_SERVICE == "gateway":  # CSRF is checked by the services for what they render, and by the gateway's pages
    SILENCED_SYSTEM_CHECKS = ["security.W003"]  # "CsrfViewMiddleware is not in your MIDDLEWARE"

if SHOP_SERVICE == "monolith":  # the back office: Django's admin over every app's models (README: back office)
    INSTALLED_APPS += ["shop.users.apps.BackOfficeConfig", "django.contrib.messages"]  # django.contrib.admin
    MIDDLEWARE += ["django.contrib.auth.middleware.AuthenticationMiddleware",
                   "django.contrib.messages.middleware.MessageMiddleware"]

# Proxies in front of the entry point whose X-Forwarded-* headers are believed: in production, the one
# that ends TLS. A service (one app or a group) also believes the gateway, the only way in to it.
SHOP_TRUSTED_PROXIES = env.int("SHOP_TRUSTED_PROXIES", 0 if DEBUG else 1)
_PROXIES_IN_FRONT = SHOP_TRUSTED_PROXIES + (1 if is_service(SHOP_SERVICE) else 0)
# HTTPS: the trusted proxy says which scheme the client used. Health probes and service-to-service calls
# (plain HTTP inside the deployment's network) are never redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _PROXIES_IN_FRONT else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health", r"^internal/", r"^metrics"]  # probes and scrapes: plain HTTP inside
# A split service is reached through the gateway only (never published), which names the public host in
# X-Forwarded-Host: links it builds (pagination, Location) point at the public entry point.
USE_X_FORWARDED_HOST = is_service(SHOP_SERVICE)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
CSRF_FAILURE_VIEW = "shop.platform.errors.csrf_failure"

ROOT_URLCONF = env.str("DJANGO_ROOT_URLCONF", "gateway_urls" if SHOP_SERVICE == "gateway" else "shop.urls")
WSGI_APPLICATION = "shop.wsgi.application"
APPEND_SLASH = False
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                           "django.contrib.auth.context_processors.auth",
                                           "django.contrib.messages.context_processors.messages"]},
    }
]
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # `collectstatic` fills it
if DEBUG:  # files come from the apps' folders; an empty STATIC_ROOT spares WhiteNoise's "No directory" warning
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Compressed, content-hashed names (WhiteNoise serves them with a year-long Cache-Control); in DEBUG
# the files come straight from the apps, so `make run` needs no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Django insists on a "default" alias; the router never sends anything to it.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DATABASES.update({app: stores.database(env, app, data_dir=DATA_DIR) for app in SHOP_APPS})
DATABASE_ROUTERS = ["shop.routers.AppDatabaseRouter"]
SHOP_DATABASE_APPS = {app: app for app in APPS} | {"auth": "users", "contenttypes": "users", "token_blacklist": "users",
                                                   "admin": "users"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in ("UserAttributeSimilarityValidator", "MinimumLengthValidator",
                 "CommonPasswordValidator", "NumericPasswordValidator")
]

# Tests may choose a fast hasher (e.g. django.contrib.auth.hashers.MD5PasswordHasher); never in production.
PASSWORD_HASHERS = env.list("DJANGO_PASSWORD_HASHERS", default=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
])

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication",
                                       "shop.platform.api.auth.SessionTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["shop.platform.api.renderers.JSONRenderer", "shop.platform.api.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shop.platform.api.parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "shop.platform.api.negotiation.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "shop.platform.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "shop.platform.api.schema.ShopAutoSchema",
    "EXCEPTION_HANDLER": "shop.platform.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Rates per scope, e.g. "10/min" (s, min, hour, day); an empty value switches that throttle off.
    "DEFAULT_THROTTLE_RATES": {
        scope: env.str(f"SHOP_THROTTLE_{scope.upper().replace('-', '_')}", rate) or None
        for scope, rate in {"login": "30/min", "login-username": "10/min", "register": "20/hour",
                            "refresh": "60/min", "order-place": "30/min"}.items()
    },
    # Client addresses: X-Forwarded-For as written by the trusted proxies (and the gateway), else the peer.
    "NUM_PROXIES": _PROXIES_IN_FRONT,
}
# Seconds by which the clocks of two hosts may differ: a user or service token issued "in the future" or
# expired by less than this is still valid (PyJWT's leeway on exp, nbf and iat).
SHOP_TOKEN_LEEWAY_SECONDS = env.int("SHOP_TOKEN_LEEWAY_SECONDS", 5)
SIMPLE_JWT = {
    "LEEWAY": SHOP_TOKEN_LEEWAY_SECONDS,
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("SHOP_JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("SHOP_JWT_REFRESH_DAYS", 1)),
    # RS256: only the issuing role holds the private key; every role verifies with the public one.
    "ALGORITHM": "RS256",
    "SIGNING_KEY": _secrets.jwt_key("SHOP_JWT_PRIVATE_KEY", private=True, needed=issues_user_tokens(SHOP_SERVICE)),
    "VERIFYING_KEY": _secrets.jwt_key("SHOP_JWT_PUBLIC_KEY", private=False, needed=SHOP_SERVICE != "gateway"),
    "UPDATE_LAST_LOGIN": False,
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "TOKEN_USER_CLASS": "shop.platform.api.auth.ShopTokenUser",
}
# People in the browsable API: DRF's login page (served by the users role) puts the user's access token in
# a signed-cookie session that every role can read, so no role needs a session table or the users database.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_AGE = int(SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds())  # the session ends with its token
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "rest_framework:login"
LOGIN_REDIRECT_URL = LOGOUT_REDIRECT_URL = "/"

SPECTACULAR_SETTINGS = {
    "TITLE": "shop API",
    "DESCRIPTION": "Online shop: users, catalog, orders, inventory. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["shop.platform.api.schema.public_endpoints_only"],
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# A storefront on another origin: the gateway (or the monolith) answers CORS for the whole public API.
CORS_ALLOWED_ORIGINS = env.list("DJANGO_CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_HEADERS = ("accept", "authorization", "content-type", "idempotency-key", "if-none-match", "x-csrftoken",
                      "x-request-id")
CORS_EXPOSE_HEADERS = ("Idempotent-Replayed", "Location", "Retry-After", "ETag", "X-Request-ID")

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("SHOP_MAX_BODY_BYTES", 64 * 1024)
SHOP_RESERVATION_TTL = env.int("SHOP_RESERVATION_TTL", 15 * 60)
SHOP_IDEMPOTENCY_TTL = env.int("SHOP_IDEMPOTENCY_TTL", 48 * 3600)
SHOP_PLACING_TIMEOUT = env.int("SHOP_PLACING_TIMEOUT", 120)  # seconds before an order stuck placing expires
SHOP_RECONCILE_AFTER = env.int("SHOP_RECONCILE_AFTER", 120)  # seconds a reservation is left to the saga
SHOP_TASK_MAX_RETRIES = env.int("SHOP_TASK_MAX_RETRIES", 10)  # then a consumer task is dead-lettered
SHOP_OUTBOX_RETENTION = env.int("SHOP_OUTBOX_RETENTION", 7 * 24 * 3600)  # seconds sent outbox rows are kept
SHOP_MAX_PENDING_ORDERS = env.int("SHOP_MAX_PENDING_ORDERS", 20)  # unpaid orders one customer may hold
# Holding limits (inventory): units one customer may hold reserved and unpaid, per product the greater of
# SHOP_HOLD_PRODUCT_UNITS and SHOP_HOLD_PRODUCT_PERCENT % of its stock on hand, and SHOP_HOLD_TOTAL_UNITS in all.
SHOP_HOLD_PRODUCT_UNITS = env.int("SHOP_HOLD_PRODUCT_UNITS", 10)
SHOP_HOLD_PRODUCT_PERCENT = env.int("SHOP_HOLD_PRODUCT_PERCENT", 20)
SHOP_HOLD_TOTAL_UNITS = env.int("SHOP_HOLD_TOTAL_UNITS", 1000)

# Celery: without a broker the monolith runs tasks in-process after commit; split roles share
# a filesystem broker on one machine; CELERY_BROKER_URL (RabbitMQ) carries them in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL and SHOP_SERVICE == "monolith"
if not CELERY_BROKER_URL and SHOP_SERVICE != "monolith":
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT = "shop.platform.messaging.fsbroker:Transport"  # kombu's, writing each message atomically
    _broker_dir = DATA_DIR / "broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(_broker_dir), "data_folder_out": str(_broker_dir),
                                       "control_folder": str(_broker_dir / "control"), "polling_interval": 0.1}
elif CELERY_BROKER_URL.startswith("amqp"):
    # Publisher confirms: a publish returns only once RabbitMQ has the message (the outbox marks it
    # sent then). One quick connection attempt: the relay retries later, nobody waits on it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"confirm_publish": True, "max_retries": 1, "interval_start": 0,
                                       "interval_step": 0.2, "interval_max": 0.2}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / f"celerybeat-schedule-{SHOP_SERVICE}")
# The one beat holds a lease in Redis (renewed every third of this), so a second beat, such as the other
# topology's during a cutover, stands by instead of scheduling every task twice (docs/topologies.md).
CELERY_BEAT_SCHEDULER = "shop.platform.messaging.beat:LeasedScheduler"
SHOP_BEAT_LEASE_SECONDS = env.float("SHOP_BEAT_LEASE_SECONDS", 30.0)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No prefetch reduction after a reconnect. Celery restores the count from the promise of each ack, in the
# thread that acks; with `--pool threads` that is a pool thread, which then calls basic.qos on the
# connection the event loop reads, and wedges the consumer (issue 21; `python -m tools.wedge_repro`).
CELERY_WORKER_ENABLE_PREFETCH_COUNT_REDUCTION = False
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A worker's consumer loop touches this file every few seconds; its liveness probe fails once the file is
# stale (`python -m shop.platform.messaging.liveness`, shop/platform/messaging/liveness.py).
SHOP_WORKER_HEARTBEAT_FILE = env.str("SHOP_WORKER_HEARTBEAT_FILE",
                                     str(DATA_DIR / f"worker-heartbeat-{SHOP_SERVICE}-{socket.gethostname()}"))

SHOP_LOG_FORMAT = env.str("SHOP_LOG_FORMAT", "plain")  # plain | json
if SHOP_LOG_FORMAT not in ("plain", "json"):
    raise environ.ImproperlyConfigured(f"SHOP_LOG_FORMAT must be plain or json, not {SHOP_LOG_FORMAT!r}")
SHOP_ACCESS_LOG = env.bool("SHOP_ACCESS_LOG", False)  # one line per request (shop.access), with its ids
LOGGING = logging_config(log_format=SHOP_LOG_FORMAT, level=env.str("SHOP_LOG_LEVEL", "INFO"))

from kombu import Queue  # noqa: E402

from shop import app_tasks  # noqa: E402

SHOP_NAMESPACE = env.str("SHOP_NAMESPACE", "")  # prefixes queues and Redis keys: isolates shops sharing them
# One queue per app; each app declares its periodic tasks beside its code (shop/<app>/schedule.py). The
# backstops (expiry, payment recovery, the reconciler) go to a queue of their own per app, which a separate
# worker process consumes (SHOP_WORKER_QUEUES=backstop): a wedged app worker does not hold them up.
SHOP_WORKER_QUEUES = env.str("SHOP_WORKER_QUEUES", "app")  # what a worker consumes: app | backstop
if SHOP_WORKER_QUEUES not in app_tasks.WORKER_KINDS:
    raise environ.ImproperlyConfigured(f"SHOP_WORKER_QUEUES must be app or backstop, not {SHOP_WORKER_QUEUES!r}")
CELERY_TASK_QUEUES = [Queue(name) for name in app_tasks.queues(SHOP_APPS, SHOP_NAMESPACE, SHOP_WORKER_QUEUES)]
CELERY_TASK_DEFAULT_QUEUE = CELERY_TASK_QUEUES[0].name
CELERY_TASK_ROUTES = app_tasks.task_routes(SHOP_NAMESPACE)
# The one beat process schedules every app's periodic tasks, each routed to its app's queue (or backstop
# queue). A run not started within its period expires: a worker back from a stall finds one sweep, not a pile.
CELERY_BEAT_SCHEDULE = app_tasks.beat_schedule(env.float, SHOP_NAMESPACE)
SHOP_PAYMENT_PROCESSOR = env.str("SHOP_PAYMENT_PROCESSOR", "shop.orders.payments.SimulatedProcessor")
SHOP_PAYMENT_TIMEOUT = env.float("SHOP_PAYMENT_TIMEOUT", 10.0)  # seconds a charge may take
SHOP_PAYMENT_RECOVER_AFTER = env.int("SHOP_PAYMENT_RECOVER_AFTER", 60)  # seconds before a `paying` order is looked up

# Split mode: where the other services are, how calls to them are bounded and authenticated.
SHOP_DISCOVERY = env.str("SHOP_DISCOVERY", "env")  # env | consul
SHOP_SERVICE_URLS = {
    app: env.str(f"SHOP_{app.upper()}_URL", f"http://127.0.0.1:{PORTS[app]}").rstrip("/") for app in APPS
}
SHOP_CONSUL_URL = env.str("SHOP_CONSUL_URL", "http://127.0.0.1:8500")
SHOP_ADVERTISE_HOST = env.str("SHOP_ADVERTISE_HOST", "127.0.0.1")
SHOP_ADVERTISE_PORT = env.int("SHOP_ADVERTISE_PORT", default_port(SHOP_SERVICE))
SHOP_SERVICE_PRIVATE_KEYS, SHOP_SERVICE_PUBLIC_KEYS = _secrets.service_keys()  # service tokens, one key pair per service
SHOP_CONNECT_TIMEOUT = env.float("SHOP_CONNECT_TIMEOUT", 0.5)
SHOP_UPSTREAM_TIMEOUT = env.float("SHOP_UPSTREAM_TIMEOUT", 5.0)
# The gateway waits longer than a request needs inside: POST /orders makes two service calls in a row.
SHOP_GATEWAY_TIMEOUT = env.float("SHOP_GATEWAY_TIMEOUT", 2 * SHOP_UPSTREAM_TIMEOUT + 2)
SHOP_HOP_TIMEOUT = SHOP_GATEWAY_TIMEOUT if SHOP_SERVICE == "gateway" else SHOP_UPSTREAM_TIMEOUT
SHOP_BREAKER_FAIL_MAX = env.int("SHOP_BREAKER_FAIL_MAX", 5)
SHOP_BREAKER_RESET_SECONDS = env.float("SHOP_BREAKER_RESET_SECONDS", 5.0)
SHOP_REDIS_URL = env.str("SHOP_REDIS_URL", "")
SHOP_FALLBACK_CACHE_MB = env.int("SHOP_FALLBACK_CACHE_MB", 64)  # the gateway's stale-read store, at most
SHOP_CACHE_MB = env.int("SHOP_CACHE_MB", 16)  # the default cache (throttle counts) in memory, without Redis

# Without Redis each cache lives in the process's memory, bounded in bytes with least-recently-used eviction;
# the gateway's memo of what it last wrote to the fallback store is always in memory (per process).
CACHES = {
    # The throttles' counts: a limit holds for the role whatever its worker count, so without Redis they are
    # counted in files under the data dir, never in one worker's memory.
    "default": stores.cache("default", redis_url=SHOP_REDIS_URL, key_prefix=SHOP_NAMESPACE, max_mb=SHOP_CACHE_MB,
                            shared_dir=DATA_DIR / "cache"),
    "fallback": stores.cache("fallback", redis_url=SHOP_REDIS_URL, key_prefix=SHOP_NAMESPACE,
                             max_mb=SHOP_FALLBACK_CACHE_MB, serializer="shop.gateway.fallback.JsonSerializer"),
    "gateway-memo": stores.memory("gateway-memo", max_bytes=1024 * 1024),
}
