"""Somnia's one settings file: everything that differs between machines comes from the env."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def is_usable_secret(key: str) -> bool:
    """The same bar as Django's deploy check (security.W009)."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure-")


def load_secret_key(*, debug: bool, path: Path) -> str:
    """DJANGO_SECRET_KEY, or one generated on first run and kept in an untracked file."""
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        if not debug and not is_usable_secret(key):
            raise ImproperlyConfigured(
                "DJANGO_SECRET_KEY is too weak for DJANGO_DEBUG off: use at least 50 random "
                "characters (or unset it to have Somnia generate one)."
            )
        return key
    try:
        stored = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        stored = ""
    except OSError as error:
        raise ImproperlyConfigured(f"Cannot read the secret key file {path}: {error}") from error
    if stored:
        if not debug and not is_usable_secret(stored):
            raise ImproperlyConfigured(f"The secret key in {path} is too weak; delete the file.")
        return stored
    generated = secrets.token_urlsafe(50)
    try:
        # O_EXCL: two workers starting together must not each write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_secret_key(debug=debug, path=path)
    except OSError as error:
        raise ImproperlyConfigured(
            f"DJANGO_SECRET_KEY is unset and {path} cannot be written ({error}); "
            "set DJANGO_SECRET_KEY."
        ) from error
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(generated + "\n")
    return generated


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = load_secret_key(
    debug=DEBUG,
    path=Path(os.environ.get("DJANGO_SECRET_KEY_FILE", BASE_DIR / ".secret_key")),
)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

HTTPS = env_flag("DJANGO_HTTPS")
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    # Hard to undo once browsers have it; DJANGO_HSTS_PRELOAD=0 leaves subdomains and the
    # preload list out (and `check --deploy` then warns).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = env_flag(
        "DJANGO_HSTS_PRELOAD", default=True
    )
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "dreams.views.errors.csrf_failure"
SESSION_COOKIE_HTTPONLY = True

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Search lookups and the trigram operators on PostgreSQL; inert on SQLite.
    "django.contrib.postgres",
    "django_htmx",
    "template_partials",
    "csp",
    "dreams",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dreams.middleware.StorageTroubleMiddleware",
]

# Static files from a CDN (https://cdn.example) that pulls them from this app's /static/,
# which whitenoise serves with far-future caching; unset, they come from this app.
STATIC_HOST = os.environ.get("DJANGO_STATIC_HOST", "").rstrip("/")
_STATIC_SOURCES = ["'self'", STATIC_HOST] if STATIC_HOST else ["'self'"]

# No inline script or style, no eval: htmx is configured for it (see base.html's htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": _STATIC_SOURCES,
        "style-src": _STATIC_SOURCES,
        "img-src": _STATIC_SOURCES,
        "connect-src": ["'self'"],
        "font-src": _STATIC_SOURCES,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "journal.urls"
WSGI_APPLICATION = "journal.wsgi.application"
ASGI_APPLICATION = "journal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dreams.context_processors.saved_draft",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'somnia.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue on the busy
        # timeout instead of failing with "database is locked" halfway through.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=FULL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA temp_store=MEMORY;"
        ),
    }
    # A file, not shared-cache memory: the browser tests' live server answers requests on
    # several threads, and only a file database gives them WAL and the busy timeout.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-somnia.sqlite3")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/?scope=mine"
LOGOUT_REDIRECT_URL = "/"
# Long sessions: a half-awake writer at 6 a.m. should not meet a login form.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 90

# Shared by every worker process (login throttling), so it lives in the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "somnia_cache",
    },
    # Per process, for figures that may be a little stale but must cost no query (counts).
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "somnia",
        # Pages' parts per dream, motif and viewer: room for a busy hour, a few MB each 100.
        "OPTIONS": {"MAX_ENTRIES": 3000},
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = f"{STATIC_HOST}/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A form post (a long dream included) fits in 5 MB; files for import are checked for 50 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}
