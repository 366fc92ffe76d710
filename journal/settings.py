"""Somnia's one settings file: everything that differs between machines comes from the env."""

import os
import secrets
from datetime import timedelta
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
    # Failed password checks, kept in the database for every worker (see dreams/accounts.py).
    "axes",
    "dreams",
]

MIDDLEWARE = [
    # Outermost, so that every answer carries the security headers, even the 400 for a bad
    # Host header that the middleware below raises before it reaches a view.
    "dreams.middleware.BaselineHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dreams.middleware.WriterTimeZoneMiddleware",
    # Pages for a logged-in writer: "private, no-store" unless the view chose.
    "dreams.middleware.PrivateCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dreams.middleware.StorageTroubleMiddleware",
    # Last, as axes asks: turns a refused password check into the friendly 429 page.
    "axes.middleware.AxesMiddleware",
]
# Before the session, CSRF and every other reader of the body.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "dreams.request_limits.RequestSizeLimitMiddleware",
)

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

# Every password check (login, /admin/login/, password change, account deletion) goes through
# authenticate(), which axes' backend throttles first; dreams/accounts.py says how.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "dreams.accounts.PasswordThrottle"
AXES_FAILURE_LIMIT = 5  # for one name from one address
THROTTLE_FAILURES_PER_ADDRESS = 20  # over all names from one address
THROTTLE_FAILURES_PER_NAME = 20  # from all addresses: then only addresses that never failed
AXES_COOLOFF_TIME = timedelta(minutes=15)  # since the last failure
# What axes' own tools (axes_reset_*, its admin) treat as one lock.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_USERNAME_CALLABLE = "dreams.accounts.name_tried"
AXES_CLIENT_IP_CALLABLE = "dreams.accounts.client_address"
AXES_LOCKOUT_CALLABLE = "dreams.accounts.lockout_response"
# Waiting out the lock works: tries during it neither count nor restart the 15 minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# No record of each successful login (who, when, from where): the journal needs none.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Behind N proxies that each append to X-Forwarded-For, the address the nearest one saw.
THROTTLE_FORWARDED_HOPS = int(os.environ.get("DJANGO_FORWARDED_HOPS", "0"))

# Shared by every worker process, so it lives in the database (the login throttle keeps its
# own table, axes' AccessAttempt).
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
MEDIA_ROOT = Path(os.environ.get("SOMNIA_MEDIA_ROOT", BASE_DIR / "media"))
# Never served as such: pictures go out through dreams.views.pictures, which checks the viewer.
MEDIA_URL = "/no-public-media/"


def picture_storage() -> dict:
    """Where pictures are kept: files under MEDIA_ROOT/pictures, or an S3-compatible bucket
    (SOMNIA_S3_BUCKET, with the `s3` extra) that every app server shares."""
    bucket = os.environ.get("SOMNIA_S3_BUCKET", "")
    if not bucket:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": MEDIA_ROOT / "pictures",
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    options = {
        "bucket_name": bucket,
        "location": os.environ.get("SOMNIA_S3_PREFIX", "pictures"),
        "default_acl": "private",  # never readable without a signature
        "querystring_auth": True,
        "querystring_expire": 300,  # signed URLs (SOMNIA_PICTURE_SERVING=signed) last 5 minutes
        "file_overwrite": False,
        "signature_version": "s3v4",
    }
    for option, variable in [
        ("endpoint_url", "SOMNIA_S3_ENDPOINT_URL"),
        ("region_name", "SOMNIA_S3_REGION"),
        ("access_key", "SOMNIA_S3_ACCESS_KEY_ID"),
        ("secret_key", "SOMNIA_S3_SECRET_ACCESS_KEY"),
    ]:
        if os.environ.get(variable):
            options[option] = os.environ[variable]
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    "pictures": picture_storage(),
}
# How a picture's bytes leave, after the view has checked the viewer: "django" (streamed by
# the app), "x-accel-redirect" (nginx sends SOMNIA_PICTURE_ACCEL_PREFIX + the file's name),
# "x-sendfile" (Apache / lighttpd send the file's path) or "signed" (a redirect to the
# bucket's short-lived signed URL).
PICTURE_SERVING = os.environ.get("SOMNIA_PICTURE_SERVING", "django")
PICTURE_ACCEL_PREFIX = os.environ.get("SOMNIA_PICTURE_ACCEL_PREFIX", "/_pictures/")
PICTURE_MAX_MB = int(os.environ.get("SOMNIA_PICTURE_MAX_MB", "20"))
PICTURE_MAX_MEGAPIXELS = int(os.environ.get("SOMNIA_PICTURE_MAX_MEGAPIXELS", "50"))
PICTURES_PER_DREAM = int(os.environ.get("SOMNIA_PICTURES_PER_DREAM", "12"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A form post (a long dream included) fits in 5 MB. A larger body is refused before anything
# reads it (dreams.request_limits), except a signed-in writer's import upload, up to
# IMPORT_UPLOAD_MAX_BYTES; an upload over FILE_UPLOAD_MAX_MEMORY_SIZE waits in a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o600

# Imports (README: "Files Somnia reads and writes"). The command line has no size limit.
IMPORT_UPLOAD_MAX_BYTES = int(os.environ.get("DJANGO_IMPORT_MAX_MB", "100")) * 1024 * 1024
IMPORT_PENDING_MAX = int(os.environ.get("DJANGO_IMPORT_PENDING_MAX", "3"))  # per account
IMPORT_BATCH_SECONDS = 0.5  # how long one batch may hold the write lock, about
# Command-line imports: processes that read the next batch's dreams while one is written.
IMPORT_READERS = int(os.environ.get("SOMNIA_IMPORT_READERS", "1"))
IMPORT_BATCH_PAUSE = 0.1  # the lock free between batches on SQLite: a waiting writer gets it
IMPORT_STALE_SECONDS = 60  # an import with no batch for this long was killed: taken back

# Unsaved drafts on the server, per account and per dream (or per "new dream"): past a cap
# the oldest is dropped, and any untouched for DRAFT_MAX_AGE_DAYS goes. The device keeps its
# own copy of whatever it typed, whatever happens here. A draft holds at most as much as a
# dream (100,000 characters of narrative, 10,000 of title).
DRAFTS_PER_ACCOUNT = int(os.environ.get("SOMNIA_DRAFTS_PER_ACCOUNT", "30"))
DRAFTS_PER_DREAM = int(os.environ.get("SOMNIA_DRAFTS_PER_DREAM", "5"))
DRAFT_MAX_AGE_DAYS = int(os.environ.get("SOMNIA_DRAFT_MAX_AGE_DAYS", "30"))
# Versions kept of each dream (its history): past this many the oldest are thinned, never the
# first nor the newest. One setting for the whole journal, not per writer.
VERSIONS_PER_DREAM = max(3, int(os.environ.get("SOMNIA_VERSIONS_PER_DREAM", "100")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # axes tells of every check at INFO; its warnings (failures, lockouts) are what matter.
    "loggers": {"axes": {"level": "WARNING"}},
}
