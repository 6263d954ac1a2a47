"""Settings for every role, read from the environment (django-environ) with dev defaults."""
import sys
from datetime import timedelta
from pathlib import Path

import environ

from shop.platform.topology import APPS, PORTS, current_role, owned_apps

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SHOP_SERVICE = current_role()
SHOP_APPS = owned_apps(SHOP_SERVICE)
DATA_DIR = Path(env.str("SHOP_DATA_DIR", str(BASE_DIR / "data")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", True)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me-0123456789"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET):
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["*"] if DEBUG else ["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    *[f"shop.{app}" for app in SHOP_APPS],  # first, so shop.users' createsuperuser wins over Django's
    "shop.platform",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "health_check",
]

MIDDLEWARE = [
    "shop.platform.request_id.RequestIdMiddleware",
    "shop.platform.body_limit.BodySizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = env.str("DJANGO_ROOT_URLCONF", "gateway_urls" if SHOP_SERVICE == "gateway" else "shop.urls")
WSGI_APPLICATION = "shop.wsgi.application"
APPEND_SLASH = False
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _database(app: str) -> dict:
    """One database per app: a SQLite file by default, <APP>_DATABASE_URL overrides it."""
    config = env.db_url(f"{app.upper()}_DATABASE_URL", default=f"sqlite:///{DATA_DIR / f'{app}.sqlite3'}")
    config["TEST"] = {"DEPENDENCIES": []}  # no alias depends on the unused "default"
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Writers queue on the lock (IMMEDIATE + busy timeout) instead of failing mid-transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    else:
        # runserver starts a thread per request, so persistent connections would only pile up there.
        config["CONN_MAX_AGE"] = 0 if "runserver" in sys.argv else env.int("SHOP_DB_CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


# Django insists on a "default" alias; the router never sends anything to it.
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DATABASES.update({app: _database(app) for app in SHOP_APPS})
DATABASE_ROUTERS = ["shop.routers.AppDatabaseRouter"]
SHOP_DATABASE_APPS = {app: app for app in APPS} | {"auth": "users", "contenttypes": "users"}

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
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTStatelessUserAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["shop.platform.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "shop.platform.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "shop.platform.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("SHOP_JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("SHOP_JWT_REFRESH_DAYS", 1)),
    "SIGNING_KEY": env.str("SHOP_JWT_SIGNING_KEY", SECRET_KEY),
    "UPDATE_LAST_LOGIN": False,
    "TOKEN_USER_CLASS": "shop.platform.auth.ShopTokenUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "shop API",
    "DESCRIPTION": "Online shop: users, catalog, orders, inventory. Errors are RFC 9457 problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "PREPROCESSING_HOOKS": ["shop.platform.schema.public_endpoints_only"],
    "PATH_CONVERTER_OVERRIDES": {"id": int},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("SHOP_MAX_BODY_BYTES", 64 * 1024)
SHOP_RESERVATION_TTL = env.int("SHOP_RESERVATION_TTL", 15 * 60)
SHOP_IDEMPOTENCY_TTL = env.int("SHOP_IDEMPOTENCY_TTL", 48 * 3600)

# Celery: without a broker the monolith runs tasks in-process after commit; split roles share
# a filesystem broker on one machine; CELERY_BROKER_URL (RabbitMQ) carries them in production.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL and SHOP_SERVICE == "monolith"
if not CELERY_BROKER_URL and SHOP_SERVICE != "monolith":
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = DATA_DIR / "broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(_broker_dir), "data_folder_out": str(_broker_dir),
                                       "control_folder": str(_broker_dir / "control"), "polling_interval": 0.1}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / f"celerybeat-schedule-{SHOP_SERVICE}")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "shop.platform.request_id.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": env.str("SHOP_LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING"}},
}

from kombu import Queue  # noqa: E402

SHOP_NAMESPACE = env.str("SHOP_NAMESPACE", "")  # prefixes queues and Redis keys: isolates shops sharing them
CELERY_TASK_QUEUES = [Queue(SHOP_NAMESPACE + app) for app in SHOP_APPS] or [Queue(SHOP_NAMESPACE + "shop")]
CELERY_TASK_DEFAULT_QUEUE = CELERY_TASK_QUEUES[0].name
CELERY_TASK_ROUTES = {f"{app}.*": {"queue": SHOP_NAMESPACE + app} for app in APPS}
_BEAT = {
    "orders": {
        "orders-expire-pending": {"task": "orders.expire_pending", "schedule": env.float("SHOP_EXPIRY_INTERVAL", 30.0)},
        "orders-relay-outbox": {"task": "orders.relay_outbox", "schedule": 10.0},
        "orders-purge-idempotency": {"task": "orders.purge_idempotency_keys", "schedule": 3600.0},
    },
}
CELERY_BEAT_SCHEDULE = {name: entry for app in SHOP_APPS for name, entry in _BEAT.get(app, {}).items()}
SHOP_PAYMENT_PROCESSOR = env.str("SHOP_PAYMENT_PROCESSOR", "shop.orders.payments.SimulatedProcessor")

# Split mode: where the other services are, how calls to them are bounded and authenticated.
SHOP_DISCOVERY = env.str("SHOP_DISCOVERY", "env")  # env | consul
SHOP_SERVICE_URLS = {
    app: env.str(f"SHOP_{app.upper()}_URL", f"http://127.0.0.1:{PORTS[app]}").rstrip("/") for app in APPS
}
SHOP_CONSUL_URL = env.str("SHOP_CONSUL_URL", "http://127.0.0.1:8500")
SHOP_ADVERTISE_HOST = env.str("SHOP_ADVERTISE_HOST", "127.0.0.1")
SHOP_ADVERTISE_PORT = env.int("SHOP_ADVERTISE_PORT", PORTS[SHOP_SERVICE])
SHOP_SERVICE_KEY = env.str("SHOP_SERVICE_KEY", SECRET_KEY + ":service")
SHOP_CONNECT_TIMEOUT = env.float("SHOP_CONNECT_TIMEOUT", 0.5)
SHOP_UPSTREAM_TIMEOUT = env.float("SHOP_UPSTREAM_TIMEOUT", 5.0)
SHOP_BREAKER_FAIL_MAX = env.int("SHOP_BREAKER_FAIL_MAX", 5)
SHOP_BREAKER_RESET_SECONDS = env.float("SHOP_BREAKER_RESET_SECONDS", 5.0)
SHOP_REDIS_URL = env.str("SHOP_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": SHOP_REDIS_URL,
                "KEY_PREFIX": SHOP_NAMESPACE, "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2}}
    if SHOP_REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
