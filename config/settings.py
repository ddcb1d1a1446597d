"""Stillpoint settings: one module, every knob read from the environment.

The defaults give a working local setup (SQLite file, DEBUG on, offline geocoder,
localstripe as the local Stripe). Production sets DEBUG=false and SECRET_KEY.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers as cors_default_headers
from django.core.exceptions import ImproperlyConfigured

from core.currencies import DEFAULT_MARKETPLACE_CURRENCIES, parse_marketplace_currencies
from core.job_storage import JobStorageError, huey_settings
from core.media_storage import MediaStorageError, media_storage_settings
from core.throttle_rates import parse_throttle_rates

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer") from exc


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG=false")
    SECRET_KEY = "insecure-local-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")

INSTALLED_APPS = [
    # The admin site that asks for a second factor (accounts.admin_site).
    "accounts.admin_app.MfaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "huey.contrib.djhuey",
    "core.apps.CoreConfig",
    "outbox",
    "accounts",
    "webhooks",
    "directory",
    "bookings",
    "payments",
    "reviews",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    # Outside every middleware that may refuse the request (a bad Host header, ...).
    "core.middleware.ErrorEnvelopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Which OTP device verified the admin session (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseOutageMiddleware",
    # Last: turns a lockout flagged during the request into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'stillpoint.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two bookings for
    # the same slot serialise instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # Reads map the file instead of copying pages through a 2 MB page cache:
        # the search's index and rows stay hot across requests. The page cache is per
        # connection (one per worker thread): up to 64 MiB each.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
            " PRAGMA mmap_size=1073741824; PRAGMA cache_size=-65536;"
        ),
    }
else:
    # A lock wait longer than this becomes a 503 so clients (and Stripe) retry.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("options", "-c lock_timeout=5000")
    # Server-side binding lets psycopg prepare a statement once a connection has run it
    # five times: the hot reads (search, slots) then skip PostgreSQL's planner, about
    # 1 ms of a 1M-practitioner search. Behind a transaction-pooling PgBouncer older
    # than 1.21, which cannot carry prepared statements, set this to false.
    if env_bool("DATABASE_PREPARED_STATEMENTS", True):
        options.setdefault("server_side_binding", True)
        options.setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

# --- Auth ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Links in account e-mails (verification, password reset) point at the SPA.
FRONTEND_URL = os.environ.get("FRONTEND_URL", "http://127.0.0.1:3000")
EMAIL_VERIFICATION_TIMEOUT = env_int("EMAIL_VERIFICATION_TIMEOUT", 60 * 60 * 24 * 3)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60)

# Axes first: it refuses a locked-out account before the password is even checked.
# Every authenticate() call must pass the request (the API's login does).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Lockout after repeated failed logins (django-axes; see accounts.lockout) ----
# Wrong passwords and wrong one-time codes, on /api/v1/auth/token/ and /admin/login/,
# count together per account. Attempts are rows in the database: every server sees them.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
# Minutes an account stays locked after its last counted failure; 0 locks until an
# admin unlocks it (admin: Axes > Access attempts > "Unlock").
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES) if AXES_COOLOFF_MINUTES else None
# "username" locks the account whatever address the failures come from; add
# "ip_address" to also lock an address that fails across many accounts, or write
# "username+ip_address" to lock only that account from that address.
AXES_LOCKOUT_PARAMETERS = [
    item.split("+") if "+" in item else item
    for item in env_list("AXES_LOCKOUT_PARAMETERS", "username")
]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.lockout.lockout_username"
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
# A request refused during a lockout does not extend it: Retry-After stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_ENABLE_ADMIN = False  # accounts.admin registers the attempts with an unlock action
AXES_VERBOSE = False

# --- Second factor (django-otp; see accounts.mfa) ----------------------------------
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Stillpoint")
# One mechanism limits guessing: wrong codes count towards the axes lockout above, so
# django-otp's own per-device back-off (which would also refuse the right code for a
# while, without saying so) is off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"

# --- Media: uploaded photos (directory.photos) ----------------------------------
# Local files under MEDIA_ROOT by default (Django serves them at MEDIA_URL when DEBUG;
# in production the web server or a CDN does), or MEDIA_STORAGE=s3://bucket[/prefix].
MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
try:
    STORAGES = {
        "default": media_storage_settings(os.environ.get("MEDIA_STORAGE", ""), env=os.environ),
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
except MediaStorageError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# An uploaded image's bytes and decoded pixels; larger ones are refused with 400.
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 50_000_000)
PHOTO_MAX_PER_LOCATION = env_int("PHOTO_MAX_PER_LOCATION", 10)

# --- Cache: throttle counters and geocoding results --------------------------------
# It must be shared by every worker and server, or each counts on its own: without
# CACHE_URL, production (DEBUG=false) uses a table in the database (created by
# `migrate`, see core.cache_tables) and only development uses per-process memory.
CACHE_URL = os.environ.get("CACHE_URL") or ("locmem://" if DEBUG else "db://")
if CACHE_URL.startswith("redis://") or CACHE_URL.startswith("rediss://"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://") or "stillpoint_cache",
        }
    }
elif CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("CACHE_URL must start with redis://, rediss://, db:// or locmem://")

# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the
# default) trusts no forwarding header: the client is the socket's peer address.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must be 0 or more")

# --- REST framework -------------------------------------------------------------
THROTTLE_RATES = os.environ.get(
    "THROTTLE_RATES", "auth=10/min,booking=30/min,upload=20/min,anon=120/min,user=600/min"
)


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.VersionedJWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.exception_handler",
    # Strict JSON (core.json_strict): no NaN/Infinity, UTF-8 only, nesting limited.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
        "core.throttling.ScopedThrottle",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # DRF's own reading of the client address agrees with core.client_address.
    "NUM_PROXIES": NUM_PROXIES,
    # ISO 8601 with the offset ("Z" for UTC): with USE_TZ every datetime is aware.
    "DATETIME_FORMAT": "iso-8601",
}
parse_throttle_rates(THROTTLE_RATES)  # fail at start-up on a malformed value

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env_int("JWT_ACCESS_MINUTES", 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    # A refresh token works once; the used one is blacklisted (accounts.tokens).
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Stillpoint API",
    "DESCRIPTION": "Directory, geo search, slots, bookings, payments and moderated reviews "
    "for practitioner marketplaces.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Several apps have a `status` choice field; name each enum after its model.
    "ENUM_NAME_OVERRIDES": {
        "BookingStatusEnum": "bookings.models.BookingStatus",
        "ReviewStatusEnum": "reviews.models.ReviewStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
    ],
}

# --- Stripe ------------------------------------------------------------------
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_localstripe_dev")
# Empty means Stripe itself; `make run` points it at localstripe on 127.0.0.1:8420.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
STRIPE_CONNECT = env_bool("STRIPE_CONNECT", False)
# A request must not hang on a dead provider: seconds to connect and for each read.
STRIPE_TIMEOUT_SECONDS = float(os.environ.get("STRIPE_TIMEOUT_SECONDS", "10"))
# Circuit breaker (state in the cache, shared by workers with a shared CACHE_URL): this
# many timeouts or connection errors within the window refuse Stripe calls at once
# (503 payment_provider_unavailable) for the cool-down, then one trial call decides.
# STRIPE_CIRCUIT_FAILURES=0 turns it off.
STRIPE_CIRCUIT_FAILURES = env_int("STRIPE_CIRCUIT_FAILURES", 5)
STRIPE_CIRCUIT_WINDOW_SECONDS = float(os.environ.get("STRIPE_CIRCUIT_WINDOW_SECONDS", "30"))
STRIPE_CIRCUIT_COOLDOWN_SECONDS = float(os.environ.get("STRIPE_CIRCUIT_COOLDOWN_SECONDS", "30"))
PLATFORM_FEE_PERCENT = float(os.environ.get("PLATFORM_FEE_PERCENT", "10"))
STRIPE_CONNECT_REFRESH_URL = os.environ.get(
    "STRIPE_CONNECT_REFRESH_URL", "http://127.0.0.1:8000/payouts/refresh"
)
STRIPE_CONNECT_RETURN_URL = os.environ.get(
    "STRIPE_CONNECT_RETURN_URL", "http://127.0.0.1:8000/payouts/return"
)

# --- Money --------------------------------------------------------------------
# The currencies services may be priced in (upper-case ISO 4217, each one Stripe settles in).
MARKETPLACE_CURRENCIES = parse_marketplace_currencies(
    os.environ.get("MARKETPLACE_CURRENCIES", DEFAULT_MARKETPLACE_CURRENCIES)
)

# --- Bookings, reviews -------------------------------------------------------
BOOKING_HOLD_MINUTES = env_int("BOOKING_HOLD_MINUTES", 15)
REVIEW_REPORT_THRESHOLD = env_int("REVIEW_REPORT_THRESHOLD", 3)

# --- Background jobs (Huey) and the outbox -------------------------------------
# The consumer is `python manage.py run_huey`; `make run` starts it beside the server.
JOBS_URL = os.environ.get("JOBS_URL") or f"sqlite:///{DATA_DIR / 'jobs.sqlite3'}"
try:
    HUEY = huey_settings(
        JOBS_URL,
        workers=env_int("JOBS_WORKERS", 4),
        # Immediate runs each task inside the call that enqueues it (no consumer).
        immediate=env_bool("JOBS_IMMEDIATE", False),
    )
except JobStorageError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
OUTBOX_RETRY_BASE_SECONDS = env_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = env_int("OUTBOX_RETRY_MAX_SECONDS", 4 * 60 * 60)
OUTBOX_GIVE_UP_HOURS = env_int("OUTBOX_GIVE_UP_HOURS", 24)
# A worker's claim on a batch; a worker that dies mid-batch delays its messages this long.
OUTBOX_CLAIM_SECONDS = env_int("OUTBOX_CLAIM_SECONDS", 15 * 60)
OUTBOX_KEEP_SENT_DAYS = env_int("OUTBOX_KEEP_SENT_DAYS", 30)

# --- Outbound webhooks ----------------------------------------------------------
# Sending to private, loopback and link-local addresses, and over plain http: only for
# receivers on a developer's machine (the default with DEBUG=true).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", DEBUG)
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5"))
# Seconds before retry 1, 2, ...: 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 7 h, 8 h (about
# 22.6 h in all, within the outbox's OUTBOX_GIVE_UP_HOURS day).
try:
    WEBHOOK_RETRY_SCHEDULE_SECONDS = [
        float(step)
        for step in env_list(
            "WEBHOOK_RETRY_SCHEDULE_SECONDS", "5,60,300,1800,7200,18000,25200,28800"
        )
    ] or [5.0]
except ValueError as exc:
    raise ImproperlyConfigured("WEBHOOK_RETRY_SCHEDULE_SECONDS must list seconds") from exc
WEBHOOK_DISABLE_AFTER_DAYS = env_int("WEBHOOK_DISABLE_AFTER_DAYS", 10)
WEBHOOK_MAX_SUBSCRIPTIONS = env_int("WEBHOOK_MAX_SUBSCRIPTIONS", 20)
# CA bundle for receivers' certificates; empty: certifi's (Mozilla's) bundle.
WEBHOOK_CA_BUNDLE = os.environ.get("WEBHOOK_CA_BUNDLE", "")

# --- Geocoding -----------------------------------------------------------------
GEOCODER = os.environ.get("GEOCODER", "offline")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "stillpoint/0.1 (+https://example.org)")
GEOCODER_TIMEOUT = float(os.environ.get("GEOCODER_TIMEOUT", "5"))
GEOCODER_MIN_DELAY_SECONDS = float(os.environ.get("GEOCODER_MIN_DELAY_SECONDS", "1"))
GEOCODER_OPTIONS = os.environ.get("GEOCODER_OPTIONS", "")  # e.g. "api_key=...,domain=..."
GEOCODER_CACHE_SECONDS = env_int("GEOCODER_CACHE_SECONDS", 60 * 60 * 24 * 30)

# --- E-mail --------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stillpoint <bookings@stillpoint.local>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds an SMTP connect/command may take; a hanging server delays only the worker.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- SMS (reminders to clients with a phone number) -------------------------------
# console: logged, nothing sent; twilio: Twilio's Messages API; none: no SMS at all.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console").strip().lower()
if SMS_BACKEND not in ("console", "twilio", "none"):
    raise ImproperlyConfigured("SMS_BACKEND must be console, twilio or none")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM = os.environ.get("TWILIO_FROM", "")
if SMS_BACKEND == "twilio" and not (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN and TWILIO_FROM):
    raise ImproperlyConfigured(
        "SMS_BACKEND=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM"
    )
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)

# --- Links in notifications -----------------------------------------------------
# The web app's address: e-mails link to {FRONTEND_URL}/bookings/<id> to manage a booking.
FRONTEND_URL = os.environ.get("FRONTEND_URL", "http://127.0.0.1:3000").rstrip("/")

# --- Security and CORS ---------------------------------------------------------
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
# With DEBUG, an SPA's dev server on this machine (Vite's http://localhost:5173, ...) may
# call the API from any port of localhost, 127.0.0.1 or [::1].
CORS_ALLOW_LOCALHOST = env_bool("CORS_ALLOW_LOCALHOST", DEBUG)
CORS_ALLOWED_ORIGIN_REGEXES = (
    [r"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?$"] if CORS_ALLOW_LOCALHOST else []
)
# What the API reads beyond CORS' defaults, and the response headers an SPA needs to see.
CORS_ALLOW_HEADERS = (*cors_default_headers, "idempotency-key", "x-request-id")
CORS_EXPOSE_HEADERS = ["Retry-After", "X-Request-ID", "Content-Disposition"]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
# axes.W006 asks for the address among the lockout parameters: the lockout here is per
# account on purpose (AXES_LOCKOUT_PARAMETERS adds the address when wanted); throttling
# limits each address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_REFERRER_POLICY = "same-origin"

# --- Logging: one structured line per request -----------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.request": {"level": "ERROR"},
        # Its own handler, so run_huey adds no second, plain-text one; the consumer says
        # when it has started and stopped, tasks log only their warnings and errors.
        "huey": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "huey.consumer": {"level": "INFO"},
        "huey.consumer.Scheduler": {"level": "WARNING"},
    },
}
