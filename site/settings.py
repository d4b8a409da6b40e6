"""Settings for the reviewed-health site, read from environment variables.

Defaults are safe for development: SQLite, DEBUG only when DJANGO_DEBUG=1.
"""

import os
from email.utils import formataddr, getaddresses
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from siteconf.logging import logging_settings
from siteconf.object_storage import s3_storage

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development)."
        )
    SECRET_KEY = "django-insecure-development-only-key"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get(
        "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]"
    ).split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",
    "siteconf",
    "articles",
    "references",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A hit is answered here, before CSP nonces, sessions, CSRF and auth.
    "articles.public.middleware.PageCacheMiddleware",
    "siteconf.middleware.ClientAddressMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the session, the form data or the database.
    "siteconf.middleware.RejectMalformedRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Known browsers' cookies, which the log-in throttles let through.
    "articles.admin.login.DeviceCookieMiddleware",
    # request.user.is_verified(); then staff who have not passed their second
    # factor reach only enrolment and the check (siteconf/mfa/gate.py).
    "django_otp.middleware.OTPMiddleware",
    "siteconf.mfa.gate.SecondFactorGateMiddleware",
    "siteconf.sessions.SlidingExpiryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "siteconf.urls"
WSGI_APPLICATION = "siteconf.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "articles.context_processors.site_settings",
            ],
        },
    },
]

# Databases: DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/health.
# PostgreSQL goes through psycopg's connection pool (persistent connections
# must stay off with a pool). The pool checks each connection it hands out
# without a round trip (siteconf/database.py); Django's CONN_HEALTH_CHECKS
# would only choose psycopg's check, a round trip on every request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    from siteconf.database import check_connection, for_pgbouncer

    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options["pool"] = {
        "min_size": int(os.environ.get("DJANGO_DB_POOL_MIN", "1")),
        "max_size": int(os.environ.get("DJANGO_DB_POOL_MAX", "10")),
        "timeout": float(os.environ.get("DJANGO_DB_POOL_TIMEOUT", "10")),
        "check": check_connection,
    }
    if env_bool("DJANGO_DB_PGBOUNCER"):  # in transaction mode
        for_pgbouncer(DATABASES["default"])
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "DJANGO_TEST_DATABASE_NAME"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the optional shared cache across app servers, so login-throttling
# counts hold across every server. Short timeouts: a Redis that is down or
# unreachable must cost a request well under a second, not redis-py's 5 s.
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
CACHE_PREFIX = os.environ.get("DJANGO_CACHE_PREFIX", "health")
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its redis-py client (site/cache.py).
            "BACKEND": "siteconf.cache.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": CACHE_PREFIX,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (articles/delivery/page_cache.py): in Redis with HEALTH_PAGE_CACHE_URL
# (in production a Redis of its own that evicts: deploy/redis/pages.conf),
# else REDIS_URL, else files under var/ that this machine's workers share.
# Purges are exact; the time to live is a backstop. Off with
# HEALTH_PAGE_CACHE=0 (and under DEBUG).
HEALTH_PAGE_CACHE = env_bool("HEALTH_PAGE_CACHE", default=not DEBUG)
HEALTH_PAGE_CACHE_ALIAS = "pages"
HEALTH_PAGE_CACHE_SECONDS = int(
    os.environ.get("HEALTH_PAGE_CACHE_SECONDS", str(24 * 3600))
)
page_cache_url = os.environ.get("HEALTH_PAGE_CACHE_URL") or os.environ.get("REDIS_URL")
if page_cache_url:
    CACHES["pages"] = {
        "BACKEND": "siteconf.cache.RedisCache",
        "LOCATION": page_cache_url,
        "KEY_PREFIX": CACHE_PREFIX + "-pages",
        "OPTIONS": REDIS_CACHE_OPTIONS,
        "TIMEOUT": HEALTH_PAGE_CACHE_SECONDS,
    }
else:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get(
            "HEALTH_PAGE_CACHE_DIR", str(BASE_DIR / "var" / "page-cache")
        ),
        "TIMEOUT": HEALTH_PAGE_CACHE_SECONDS,
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
# How long shared caches (Varnish, a CDN) may keep a page; purges end it early.
HEALTH_SHARED_MAX_AGE = int(os.environ.get("HEALTH_SHARED_MAX_AGE", 24 * 3600))
# Reference imports with more records than this run as a background task.
HEALTH_BACKGROUND_IMPORT_OVER = int(
    os.environ.get("HEALTH_BACKGROUND_IMPORT_OVER", "500")
)
# The reverse proxies in front of the app servers (nginx, Varnish), whose
# X-Forwarded-For names the client (siteconf.middleware.ClientAddressMiddleware).
HEALTH_TRUSTED_PROXIES = [
    address.strip()
    for address in os.environ.get("HEALTH_TRUSTED_PROXIES", "").split(",")
    if address.strip()
]
# Set only by `make bench`: the file a bare view serves as the framework floor.
HEALTH_BENCH_FLOOR_FILE = os.environ.get("HEALTH_BENCH_FLOOR_FILE", "")
# Reverse proxies' purge listeners, comma-separated, e.g. "http://127.0.0.1:6085"
# (deploy/varnish.vcl); each purge carries HEALTH_PURGE_SECRET, which Varnish
# compares with the same variable in its environment.
HEALTH_PURGE_URLS = [
    url.strip()
    for url in os.environ.get("HEALTH_PURGE_URLS", "").split(",")
    if url.strip()
]
HEALTH_PURGE_SECRET = os.environ.get("HEALTH_PURGE_SECRET", "")

# Sessions (staff only) live in the database, so the admin works while Redis
# is down: Django's cached_db lets cache errors through on log-in and log-out,
# and sliding expiry (siteconf/sessions.py) writes a session only every few
# minutes, so a cache would save one primary-key read per staff request.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(float(os.environ.get("DJANGO_SESSION_HOURS", "9")) * 3600)
SESSION_REFRESH_SECONDS = 5 * 60

# Failed logins before log-in pauses (see articles/admin/login.py): per
# username and address pair, per username from any address, per address for
# any username, within the window.
LOGIN_THROTTLE = {
    "PAIR_LIMIT": 5,
    "USER_LIMIT": 30,
    "ADDRESS_LIMIT": 30,
    "WINDOW_SECONDS": 15 * 60,
}

# Second factors for every staff account (docs/staff-sign-in.md); HEALTH_STAFF_MFA=0
# counts only with DEBUG on. Sign-off needs a check within HEALTH_STEP_UP_MINUTES.
# SECOND_FACTOR_THROTTLE may override siteconf/mfa/throttle.py's limits.
HEALTH_STAFF_MFA = not (DEBUG and os.environ.get("HEALTH_STAFF_MFA", "1") == "0")
HEALTH_STEP_UP_MINUTES = int(os.environ.get("HEALTH_STEP_UP_MINUTES", "10"))
OTP_TOTP_ISSUER = os.environ.get("HEALTH_SITE_NAME", "Reviewed Health")
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
# django-otp's per-device delay would let a guesser lock the real user out; our
# throttle counts per user and address. Passkeys come after the password, for
# the request's own host (siteconf/mfa/passkeys.py: hence E030 is silenced).
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "siteconf.mfa.passkeys.Helper"
OTP_WEBAUTHN_RP_ID_CALLABLE = "siteconf.mfa.passkeys.relying_party_id"

# Background work runs on Django's Tasks framework, stored in the database for
# `manage.py db_worker`; DJANGO_TASKS_BACKEND may choose the ImmediateBackend, or
# django_tasks_rq.RQBackend (RQ's worker; its Redis is HEALTH_RQ_URL or REDIS_URL).
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"
        )
    }
}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": os.environ.get("HEALTH_RQ_URL")
            or os.environ.get("REDIS_URL")
            or "redis://127.0.0.1:6379/0"
        }
    }
    TASKS["default"]["QUEUES"] = ["default"]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploads: S3-compatible object storage when DJANGO_S3_BUCKET is set, so every
# app server sees the same files (siteconf/object_storage.py); else MEDIA_ROOT,
# which Django serves (siteconf/views.py) unless HEALTH_SERVE_MEDIA=0.
S3_STORAGE, MEDIA_ORIGINS = s3_storage(os.environ)
HEALTH_SERVE_MEDIA = env_bool("HEALTH_SERVE_MEDIA", default=True) and not S3_STORAGE
STORAGES = {
    "default": S3_STORAGE or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "siteconf.static_storage.StaticFilesStorage"},
}

LOGIN_URL = "admin:login"

# Article bodies are capped far lower by the form (articles/limits.py); this
# only has to let a too-long paste reach the form, so the text is kept and the
# error shown. Larger requests get the 400 page saying the limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Security headers. HTTPS-only settings switch on with DJANGO_HTTPS=1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
HEALTH_HTTPS = env_bool("DJANGO_HTTPS", default=False)
if HEALTH_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS for subdomains and the browsers' preload list commit the whole domain,
# other sites included, to HTTPS for a year and are slow to undo: the domain's
# owner opts in. Until then `check --deploy` is told these are deliberate.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [
    *([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"]),
    *([] if SECURE_HSTS_PRELOAD else ["security.W021"]),
    "otp_webauthn.E030",
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", *MEDIA_ORIGINS],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Email (Django 6.1 MAILERS): console in development; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "editorial@localhost")
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Server errors are mailed to DJANGO_ADMINS, e.g. "Ops <ops@example.org>, b@x.org".
ADMINS = [
    formataddr(pair)
    for pair in getaddresses([os.environ.get("DJANGO_ADMINS", "")])
    if pair[1]
]
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Logging: everything at INFO and above goes to stderr, one JSON object per
# line in production (for the log collector) and plain text with DEBUG on;
# errors, with their tracebacks, are also mailed to ADMINS when DEBUG is off.
LOGGING = logging_settings(DEBUG, os.environ.get("DJANGO_LOG_LEVEL", "INFO"))

# django-markdownx: the preview uses our one render function, and uploads
# accept only raster images that Pillow re-encodes (no SVG, no GIF).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.rendering.render_preview"
MARKDOWNX_URLS_PATH = "/admin/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdownx/upload/"
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"]
MARKDOWNX_SKIP_RESIZE = []
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_IMAGE_MAX_SIZE = {"size": (1600, 1600), "quality": 85}
MARKDOWNX_MEDIA_PATH = "uploads/"

# Editorial settings of this site.
base_url = os.environ.get("HEALTH_SITE_BASE_URL", "http://127.0.0.1:8000")
HEALTH_SITE = {
    "NAME": os.environ.get("HEALTH_SITE_NAME", "Reviewed Health"),
    "PUBLISHER": os.environ.get("HEALTH_SITE_PUBLISHER", "Reviewed Health Ltd"),
    # The one origin for absolute URLs (canonical links, feeds, emails),
    # without a trailing slash; `check --deploy` refuses a local one.
    "BASE_URL": base_url.rstrip("/"),
    "CITATION_STYLE": os.environ.get("HEALTH_CITATION_STYLE", "ama"),
    "DEFAULT_REVIEW_INTERVAL_MONTHS": 36,
    "CONTACT_EMAIL": os.environ.get("HEALTH_SITE_CONTACT", "editorial@example.org"),
}

# Adding a reference by DOI, PMID, PMCID or ISBN (references/lookup/): the
# address the services may write to about our requests (else the site's
# contact), and HEALTH_LOOKUP overrides the services' URLs and the client's
# timeouts, retries and caching (defaults in references/lookup/client.py).
HEALTH_LOOKUP_CONTACT = os.environ.get("HEALTH_LOOKUP_CONTACT", "")

# What a finding about a cited source does, kind → actions (articles/
# evidence_policy.py; the table and each action: docs/configuration.md).
_WITHDRAWN = ["re_review", "tell_reviewer", "tell_editors", "block", "reader_notice"]
_CONCERN = ["re_review", "tell_reviewer", "reader_notice"]
HEALTH_EVIDENCE_ACTIONS = {
    **dict.fromkeys(["retraction", "withdrawal", "removal"], _WITHDRAWN),
    **dict.fromkeys(["expression_of_concern", "partial_retraction"], _CONCERN),
    **dict.fromkeys(["correction", "erratum", "addendum"], ["tell_reviewer"]),
}

# The clinical checklist a reviewer ticks on the review screen: (key, label).
# Every item must be ticked to approve; Review.checklist stores them by key.
HEALTH_REVIEW_CHECKLIST = [
    ("sources", "Claims are supported by the cited sources"),
    ("dosages", "Dosages and thresholds are checked"),
    ("safety", "Safety advice is present where needed"),
    ("current", "Date-sensitive facts are current"),
]
