"""All of OpenPO's settings, read from `OPENPO_*` environment variables with laptop-safe defaults.

One file, no class hierarchy (healthchecks style). Every knob a deployment needs is an
environment variable; with none set, OpenPO runs on a laptop with SQLite under `var/`.
"""

import ipaddress
import os
import secrets
import urllib.parse
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _default_data_dir() -> Path:
    # In a checkout (editable install) the data lives in <repo>/var; installed elsewhere, in ./var.
    repo = PACKAGE_DIR.parent.parent
    if (repo / "pyproject.toml").exists():
        return repo / "var"
    return Path.cwd() / "var"


DATA_DIR = Path(os.environ.get("OPENPO_DATA_DIR") or _default_data_dir())
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    # Never a well-known default: without OPENPO_SECRET_KEY a random key is made once and kept
    # in the data directory, readable only by its owner.
    if os.environ.get("OPENPO_SECRET_KEY"):
        return os.environ["OPENPO_SECRET_KEY"]
    path = DATA_DIR / "secret-key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("OPENPO_DEBUG", False)
# Webhooks to this machine itself (127.0.0.1, localhost), for development and tests only: in
# production a seller's URL must not reach the server's own services (hooks/addresses.py).
WEBHOOKS_ALLOW_LOCAL = _env_bool("OPENPO_WEBHOOKS_ALLOW_LOCAL", DEBUG)
ALLOWED_HOSTS = _env_list("OPENPO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
SITE_URL = os.environ.get("OPENPO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Without OPENPO_SITE_URL, `openpo serve` points links at the address it serves (ops/serve.py).
SITE_URL_IS_SET = bool(os.environ.get("OPENPO_SITE_URL", "").strip())

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "openpo.ops.tasks_app.BackgroundTasksConfig",  # django_tasks_db, named for the admin
    "ninja",  # the API docs page from ninja's own static files, not a CDN (CSP)
    "openpo.core",
    "openpo.catalog",
    "openpo.orders",
    "openpo.payments",
    "openpo.messaging",
    "openpo.fulfillment",
    "openpo.hooks",
    "openpo.intake",
    "openpo.insights",
    "openpo.storefront",
    "openpo.api",
    "openpo.dashboard",
    "openpo.ops",
]

MIDDLEWARE = [
    # Counts and times every request, whatever answers it (ops/metrics.py).
    "openpo.ops.metrics.RequestMetricsMiddleware",
    # /healthz and /metrics answer before the host check and the HTTPS redirect: a load
    # balancer or Prometheus asks by the server's own address, over plain HTTP (ops/health.py).
    "openpo.ops.health.OpsEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openpo.core.language.ShopLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A body over 10 MB is refused before anything reads it (core/uploads.py).
    "openpo.core.uploads.UploadSizeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The database gone (a restart, a failover): 503 with Retry-After, not a traceback.
    "openpo.core.outage.DatabaseOutageMiddleware",
]

ROOT_URLCONF = "openpo.urls"
WSGI_APPLICATION = "openpo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default, in WAL mode with immediate transactions: a writer takes the write lock at
# BEGIN, so two buyers never deadlock on a lock upgrade, and waits (busy timeout) instead of
# failing. PostgreSQL through psycopg 3 with OPENPO_DATABASE_URL=postgres://...
DATABASE_URL = os.environ.get("OPENPO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'openpo.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with a fair queue for write transactions (core/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "openpo.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file (not :memory:) so concurrent test connections really contend; one per process so
    # two test runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}
    if not os.environ.get("OPENPO_CACHE_URL"):
        # The database cache gets its own file, so its writes never wait for orders' writes.
        DATABASES["cache"] = {
            **DATABASES["default"],
            "NAME": str(DATA_DIR / "cache.sqlite3"),
            "TEST": {"NAME": str(DATA_DIR / f"test-cache-{os.getpid()}.sqlite3")},
        }
        DATABASE_ROUTERS = ["openpo.core.routers.CacheRouter"]
# Connections are kept between requests (each server thread has its own): opening one costs a
# connect and, on SQLite, the PRAGMAs above, and closing the last one a WAL checkpoint; that was
# a fifth of a war-PO order's server time (bench/war_po.py).
for _alias in DATABASES:
    DATABASES[_alias]["CONN_MAX_AGE"] = int(os.environ.get("OPENPO_DB_CONN_MAX_AGE", "60"))
    DATABASES[_alias]["CONN_HEALTH_CHECKS"] = True


def _seconds(name: str, default: str) -> int:
    value = os.environ.get(name, default).strip()
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number of seconds (0 for none), not {value!r}")
    return int(value)


# A database that does not answer must not hold a request for ever (PostgreSQL): a new
# connection gives up after OPENPO_DB_CONNECT_TIMEOUT seconds (0: as long as the OS tries),
# and under `openpo serve` each SQL statement of a request after OPENPO_DB_STATEMENT_TIMEOUT
# seconds (0: no limit), lock waits included; either answers 503 with Retry-After
# (core/outage.py). Commands (migrate, the worker) have no statement limit. TCP keepalives
# notice a server that vanished without closing the connection.
DB_CONNECT_TIMEOUT = _seconds("OPENPO_DB_CONNECT_TIMEOUT", "5")
DB_STATEMENT_TIMEOUT = _seconds("OPENPO_DB_STATEMENT_TIMEOUT", "30")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Jakarta"
USE_TZ = True

# --- Static files (WhiteNoise serves them from the web process) -----------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
# Payment proofs: no URL serves this folder; sellers see proofs through their dashboard only.
PRIVATE_MEDIA_ROOT = DATA_DIR / "private"

# --- Security -------------------------------------------------------------------------------
# OPENPO_HTTPS says the site is reached over HTTPS (the default outside debug mode); set it to 0
# to run the production server on plain http://127.0.0.1 (as `make run` does).
HTTPS = _env_bool("OPENPO_HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("OPENPO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is a promise about the whole domain: the operator opts in (see README).
SECURE_HSTS_PRELOAD = _env_bool("OPENPO_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# The orders-from-chats preview (dashboard/intake) posts up to 10 fields for each of up to
# 1,500 orders (MAX_ORDERS): Django's default of 1,000 fields would refuse more than ~90.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 16_000
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = _env_list("OPENPO_CSRF_TRUSTED_ORIGINS", "")
if _env_bool("OPENPO_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy on every response (django-csp): scripts only from our static files
# or an inline block that carries this response's nonce (`{{ request.csp_nonce }}`), styles only
# from our stylesheets (no style="" attributes, no <style> blocks), no plugins, no <base>, never
# framed. Forms post to the site itself, except the buyer's "pay online" button, whose answer
# redirects to Midtrans Snap's payment page (the origin of OPENPO_MIDTRANS_SNAP_URL, read the
# same way as the payment section below). The proof files answer with their own sandbox policy.
_snap_url = urllib.parse.urlsplit(
    os.environ.get("OPENPO_MIDTRANS_SNAP_URL", "https://app.sandbox.midtrans.com")
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # data: for the icons that the API docs' stylesheet (Swagger UI) draws as data: URLs.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, f"{_snap_url.scheme}://{_snap_url.netloc}"],
    }
}
# Where browsers send reports of what the policy blocked (any collector's URL); none by default.
if os.environ.get("OPENPO_CSP_REPORT_URI"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["report-uri"] = os.environ["OPENPO_CSP_REPORT_URI"]

# --- Email ----------------------------------------------------------------------------------
# OPENPO_EMAIL_URL=smtp://user:password@host:587 (smtp+ssl:// for port 465, `?tls=1` for
# STARTTLS); console:// prints mails (the default on a laptop, so a password-reset link shows
# in the terminal).
EMAIL_URL = os.environ.get("OPENPO_EMAIL_URL", "console://")
_email = urllib.parse.urlsplit(EMAIL_URL)
if _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.scheme in {"smtp", "smtp+ssl"}:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtp+ssl" else 25)
    EMAIL_HOST_USER = urllib.parse.unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = urllib.parse.unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtp+ssl"
    EMAIL_USE_TLS = "tls=1" in _email.query
    EMAIL_TIMEOUT = 20
else:
    raise ValueError("OPENPO_EMAIL_URL must start with smtp://, smtp+ssl:// or console://")
DEFAULT_FROM_EMAIL = os.environ.get("OPENPO_FROM_EMAIL", "OpenPO <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------------------------
# Django's tasks API (the django-tasks backport on Django 5.2) with its database backend: the
# queue is a table, so `openpo worker` needs nothing but the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Payment gateway ------------------------------------------------------------------------
# Midtrans is off for a shop until its owner sets a server key. Snap (the payment page) is
# the sandbox by default; production is https://app.midtrans.com.
MIDTRANS_SNAP_URL = os.environ.get(
    "OPENPO_MIDTRANS_SNAP_URL", "https://app.sandbox.midtrans.com"
).rstrip("/")
# Midtrans' API, asked to confirm each notification that moves money (Get Status): the
# sandbox by default; production is https://api.midtrans.com.
MIDTRANS_API_URL = os.environ.get(
    "OPENPO_MIDTRANS_API_URL", "https://api.sandbox.midtrans.com"
).rstrip("/")

# WhatsApp Business Cloud API, for shops that connect an account (else: the wa.me queue).
WHATSAPP_API_URL = os.environ.get("OPENPO_WHATSAPP_API_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = os.environ.get("OPENPO_WHATSAPP_API_VERSION", "v21.0")

LOGIN_URL = "/accounts/login/"
# Every log-in (the site's, the admin's) goes through the lockout (core/login_guard.py): five
# wrong passwords per username and address, twenty per address across usernames, then a wait.
AUTHENTICATION_BACKENDS = ["openpo.core.login_guard.LockoutBackend"]
LOGIN_FAILURES_PER_USER = int(os.environ.get("OPENPO_LOGIN_FAILURES_PER_USER", "5"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("OPENPO_LOGIN_FAILURES_PER_ADDRESS", "20"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("OPENPO_LOGIN_LOCKOUT_SECONDS", str(15 * 60)))
LOGIN_REDIRECT_URL = "/dashboard/"
LOGOUT_REDIRECT_URL = "/"

# --- Cache and rate limits ------------------------------------------------------------------
# Rate-limit counters must be shared by every web process. Without a cache server the default
# is a table in the database (created after `migrate`); OPENPO_CACHE_URL=redis://host:6379/0
# uses Redis (install the `redis` package), locmem:// a per-process memory cache (tests only).
CACHE_URL = os.environ.get("OPENPO_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL:
    raise ValueError(
        f"OPENPO_CACHE_URL must start with redis://, rediss:// or locmem://: {CACHE_URL}"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "openpo_cache",
            # Django's default (300 rows) would cull live counters in a war PO.
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

# Addresses of reverse proxies whose X-Forwarded-For we believe (IPs or CIDR networks); parsed
# here so a typo stops the start instead of failing requests.
TRUSTED_PROXIES = [
    ipaddress.ip_network(entry, strict=False) for entry in _env_list("OPENPO_TRUSTED_PROXIES", "")
]


def _rate(name: str, default: str) -> tuple[int, int] | None:
    """`20/60` → 20 requests per 60 seconds per client; `off` → no limit."""
    value = os.environ.get(name, default).strip().lower()
    if value in {"off", "0", "none"}:
        return None
    count, _slash, seconds = value.partition("/")
    try:
        limit, window = int(count), int(seconds or 60)
    except ValueError:
        limit = window = 0
    if limit < 1 or window < 1:
        raise ValueError(f"{name} must look like 20/60 (requests/seconds) or off, not {value!r}")
    return limit, window


RATE_LIMITS = {
    "order": _rate("OPENPO_RATE_LIMIT_ORDERS", "20/60"),
    "reminder": _rate("OPENPO_RATE_LIMIT_REMINDERS", "10/600"),
    "proof": _rate("OPENPO_RATE_LIMIT_PROOFS", "10/600"),
    "signup": _rate("OPENPO_RATE_LIMIT_SIGNUPS", "10/3600"),
    "password_reset": _rate("OPENPO_RATE_LIMIT_PASSWORD_RESETS", "5/3600"),
    # Meta calls from a few addresses for every shop: generous, per address.
    "whatsapp_webhook": _rate("OPENPO_RATE_LIMIT_WHATSAPP_WEBHOOK", "600/60"),
}

# --- Health and metrics (ops/health.py, ops/metrics.py) ------------------------------------
# /healthz fails when the newest worker heartbeat is older than this (0: no worker check), or
# when a due outbox message has waited longer than that (0: no outbox check).
HEALTH_HEARTBEAT_MAX_AGE = _seconds("OPENPO_HEALTH_HEARTBEAT_MAX_AGE", "180")
HEALTH_OUTBOX_MAX_AGE = _seconds("OPENPO_HEALTH_OUTBOX_MAX_AGE", "600")
# /metrics answers only with `Authorization: Bearer <this token>`; without a token it does not
# exist (404).
METRICS_TOKEN = os.environ.get("OPENPO_METRICS_TOKEN", "").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise ValueError("OPENPO_METRICS_TOKEN must be at least 16 characters (or unset)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENPO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
