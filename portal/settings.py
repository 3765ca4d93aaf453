"""Settings for the 学籍校对 portal, read from the environment (and an optional .env).

Embedded defaults run on one machine with nothing else installed: SQLite, private media
on the local disk, the database task queue. Production sets DATABASE_URL, CACHE_URL,
SECRET_KEY, ALLOWED_HOSTS and leaves DEBUG off; to run on several machines it adds
SESSION_ENGINE, TASKS_BACKEND=django_tasks_rq.RQBackend with REDIS_URL, MEDIA_STORAGE=s3
and maybe DB_POOL (docs/deploy.md).
"""

import ipaddress
import secrets
import tempfile
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from portal.lib.logs import init_sentry, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)


def _development_secret_key() -> str:
    """A key for DEBUG runs, generated once and kept out of git (.gitignore)."""
    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Required when DEBUG is off: Django refuses to sign anything with an empty key, so a
# production server without SECRET_KEY fails on its first request, while commands that
# need no key (migrate, makemigrations --check) still run.
SECRET_KEY = env.str("SECRET_KEY", default="") or (_development_secret_key() if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The reverse proxies in front of the app servers (addresses or networks, e.g.
# "10.0.0.10,10.0.1.0/24"): only a request from one of them has its X-Forwarded-For read
# for the client's address (portal.lib.throttle.client_ip). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:  # a typo must stop the start, not the first proxied request
    try:
        ipaddress.ip_network(_proxy.strip(), strict=False)
    except ValueError as _error:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None

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
    "portal.worker",  # before django_tasks_db and django_rq: wraps their worker commands
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tables2",  # its render_table tag; the template is ours (components/_table.html)
    "portal",
    "accounts",
    "records",
    "imaging",
    "notices",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.lib.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.lib.middleware.PrivateCacheMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    # A student with a required task open lands on her to-do page after log-in (issue 15).
    "notices.hold.RequiredTaskHoldMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
                "notices.hold.required_bar",
            ],
        },
    },
]

# Databases: SQLite file by default; DATABASE_URL=postgres://… for PostgreSQL (psycopg 3).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and WAL let the web server and the task worker share the file
    # without "database is locked" errors.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
elif env.bool("DB_POOL", default=False):
    # psycopg 3's connection pool, one per process (docs/deploy.md). It excludes persistent
    # connections (Django refuses CONN_MAX_AGE with a pool); it pays off with threads
    # (gunicorn gthread, ASGI), while a gunicorn sync worker holds one connection anyway.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DB_POOL_MAX_SIZE", default=4),
        "timeout": env.int("DB_POOL_TIMEOUT", default=10),
    }
else:
    # Persistent connections: reconnecting per request made pages ~5x slower (docs/quality.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory by default; CACHE_URL=redis://host:6379/1 in production, so that
# every app server shares the throttling counters (portal.lib.throttle) and cached sessions.
# Always Django's own RedisCache (redis-py), even if django-redis happens to be installed.
CACHE_URL = env.str("CACHE_URL", default="locmemcache://portal")
CACHES = {
    "default": env.cache_url_config(
        CACHE_URL,
        backend=(
            "django.core.cache.backends.redis.RedisCache"
            if CACHE_URL.startswith(("redis", "rediss", "rediscache"))
            else None
        ),
    )
}
# Throttling (portal.lib.throttle, docs/deploy.md "Throttling"): counters in Redis when
# THROTTLE_REDIS_URL is set (by default the CACHE_URL when that is Redis), otherwise in the
# database table portal_throttlecounter. Both are atomic; Django's cache is never used.
THROTTLE_REDIS_URL = env.str(
    "THROTTLE_REDIS_URL",
    default=(
        "redis" + CACHE_URL[len("rediscache") :]
        if CACHE_URL.startswith("rediscache")
        else CACHE_URL
        if CACHE_URL.startswith(("redis://", "rediss://"))
        else ""
    ),
)
# Log-in, per account and client address (IPv6: per /64): this many wrong passwords, then
# a wait that doubles with each window that ran out, up to the maximum.
THROTTLE_LOGIN_TRIES = env.int("THROTTLE_LOGIN_TRIES", default=5)
THROTTLE_LOGIN_DELAY = env.int("THROTTLE_LOGIN_DELAY", default=15 * 60)
THROTTLE_LOGIN_MAX_DELAY = env.int("THROTTLE_LOGIN_MAX_DELAY", default=2 * 60 * 60)
# Per account across every address (an attacker may hold many IPv6 /64s): a higher ceiling
# with its own growing wait. Tries from a browser where the account logged in before are
# not counted here, so the owner is never held by a distributed attack on her account.
THROTTLE_LOGIN_ACCOUNT_TRIES = env.int("THROTTLE_LOGIN_ACCOUNT_TRIES", default=20)
THROTTLE_LOGIN_ACCOUNT_DELAY = env.int("THROTTLE_LOGIN_ACCOUNT_DELAY", default=60 * 60)
THROTTLE_LOGIN_ACCOUNT_MAX_DELAY = env.int("THROTTLE_LOGIN_ACCOUNT_MAX_DELAY", default=6 * 60 * 60)
# Per client address: after this many wrong passwords (any identifiers) in the window the
# address is slowed down — at most THROTTLE_LOGIN_SLOW_CHECKS wrong passwords a minute —
# but a right password is never refused for long because of other accounts' failures.
THROTTLE_LOGIN_ADDRESS_FAILURES = env.int("THROTTLE_LOGIN_ADDRESS_FAILURES", default=30)
THROTTLE_LOGIN_ADDRESS_WINDOW = env.int("THROTTLE_LOGIN_ADDRESS_WINDOW", default=15 * 60)
THROTTLE_LOGIN_SLOW_CHECKS = env.int("THROTTLE_LOGIN_SLOW_CHECKS", default=2)
# 该用户名已被使用 on the account page: checks per account and per client address an hour.
THROTTLE_USERNAME_CHECKS = env.int("THROTTLE_USERNAME_CHECKS", default=10)
THROTTLE_USERNAME_CHECKS_PER_ADDRESS = env.int("THROTTLE_USERNAME_CHECKS_PER_ADDRESS", default=30)

# Sessions in the database by default; production sets ...backends.cached_db (reads from
# Redis, writes through to PostgreSQL): either way no app server holds a session.
SESSION_ENGINE = env.str("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.IdentifierBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
# argon2id at OWASP's floor (m = 19 MiB, t = 2, p = 1; accounts/hashers.py); hashes made
# with Django's heavier Argon2 defaults are rehashed at the next log-in.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idOwaspHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "real_name", "email", "phone")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: absolute lifetime 12 hours; idle time-out 30 minutes for everyone, because
# students use shared lab computers too (seed 004 asks them to log out properly).
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

# Private files (photos, ID scans, evidence, exports) live outside any web root and are
# served only by permission-checked views: the storage has no public URL at all.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "private-media")
STORAGES = {
    "default": {
        "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        ),
    },
}
# `manage.py cleanup` (daily, by the worker): days an export file and a finished task's
# result are kept.
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=7)
TASK_RESULT_KEEP_DAYS = env.int("TASK_RESULT_KEEP_DAYS", default=7)
MESSAGE_KEEP_DAYS = env.int("MESSAGE_KEEP_DAYS", default=30)
# Where `manage.py backup` writes (docs/deploy.md): on another disk, or copied off-site.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
# MEDIA_STORAGE=s3: an S3-compatible object store (django-storages, the `scale` extra),
# so that app servers and workers share files without a shared disk. Still private: no
# public ACL, signed URLs only, and portal.lib.objectstore refuses to make a URL at all.
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="local")
if MEDIA_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "portal.lib.objectstore.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("AWS_LOCATION", default=""),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
        },
    }

# Background work: Django 6's task API through the django-tasks backport. The database
# queue needs no other server; `manage.py db_worker` runs it. To scale out, RQ on Redis:
# TASKS_BACKEND=django_tasks_rq.RQBackend and REDIS_URL (or RQ_URL), workers run
# `manage.py rqworker default --job-class django_tasks_rq.Job --with-scheduler`. Either
# way every worker re-runs the jobs whose worker died, at start and every half minute
# (portal.worker.housekeeping, portal.lib.jobs, docs/deploy.md).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
if TASKS_BACKEND.startswith("django_tasks_rq."):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": env.str("RQ_URL", default=REDIS_URL),
            # A roster of 50,000 rows takes minutes; RQ's default (180 s) would kill it.
            "DEFAULT_TIMEOUT": env.int("RQ_DEFAULT_TIMEOUT", default=3600),
        }
    }
# Every worker's housekeeping (portal.worker.housekeeping): heartbeat, recovery of abandoned jobs and
# due messages, every this many seconds.
WORKER_HOUSEKEEPING_EVERY = env.float("WORKER_HOUSEKEEPING_EVERY", default=30)
# /healthz (portal.lib.health): the task queue is served when a worker's heartbeat is at
# most HEALTH_HEARTBEAT_MAX_AGE seconds old and no task has waited more than
# HEALTH_QUEUE_MAX_WAIT seconds. HEALTH_CHECK_QUEUE=off for a set-up without a worker.
HEALTH_CHECK_QUEUE = env.bool("HEALTH_CHECK_QUEUE", default=True)
HEALTH_HEARTBEAT_MAX_AGE = env.int("HEALTH_HEARTBEAT_MAX_AGE", default=120)
HEALTH_QUEUE_MAX_WAIT = env.int("HEALTH_QUEUE_MAX_WAIT", default=600)
# Where a job's lease lives when the database is SQLite (a file lock on this machine);
# on PostgreSQL the lease is an advisory lock (portal.lib.jobs).
JOB_LEASE_DIR = env.path("JOB_LEASE_DIR", default=Path(tempfile.gettempdir()) / "xueji-job-leases")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="学籍校对 <noreply@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# SMS (accounts.sms, docs/deploy.md "SMS"): console (default), generic (JSON to
# SMS_GATEWAY_URL), aliyun or tencent, or a dotted path to a back-end class.
_SMS_BACKENDS = {
    "console": "accounts.sms.ConsoleBackend",
    "generic": "accounts.sms.HttpGatewayBackend",
    "aliyun": "accounts.sms.AliyunBackend",
    "tencent": "accounts.sms.TencentBackend",
}
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_BACKEND = _SMS_BACKENDS.get(SMS_BACKEND, SMS_BACKEND)
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
# Aliyun: AccessKey ID / secret; Tencent Cloud: SecretId / SecretKey and the SmsSdkAppId.
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_APP_ID = env.str("SMS_APP_ID", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_REGION = env.str("SMS_REGION", default="")  # cn-hangzhou / ap-guangzhou when empty
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")  # the vendor's API when empty
# The approved template of each kind of message (accounts.models.MessageKind): a code
# template has the variable ${code} ({1} at Tencent), the others ${text} ({1}).
SMS_TEMPLATES = {
    "code": env.str("SMS_TEMPLATE_CODE", default=""),
    "notice": env.str("SMS_TEMPLATE_NOTICE", default=""),
    "reminder": env.str("SMS_TEMPLATE_REMINDER", default=""),
}
# The outbox (accounts.outbox): attempts per message and the first wait, which doubles.
MESSAGE_MAX_ATTEMPTS = env.int("MESSAGE_MAX_ATTEMPTS", default=6)
MESSAGE_RETRY_DELAY = env.int("MESSAGE_RETRY_DELAY", default=30)

# Security headers. In production (DEBUG off) cookies are Secure and HTTPS is enforced;
# behind a reverse proxy set SECURE_PROXY_SSL_HEADER_NAME=HTTP_X_FORWARDED_PROTO.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# A load balancer or monitor asks /healthz over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.str("SECURE_PROXY_SSL_HEADER_NAME", default=""):
    SECURE_PROXY_SSL_HEADER = (env.str("SECURE_PROXY_SSL_HEADER_NAME"), "https")
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
CSP_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Logs to the console (journald under systemd); LOG_FORMAT=json writes one JSON object a
# line. SENTRY_DSN (the `sentry` extra) reports errors without personal data.
LOGGING = logging_config(
    level=env.str("LOG_LEVEL", default="INFO"), fmt=env.str("LOG_FORMAT", default="text")
)
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    init_sentry(
        SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# Portal rules that operators may tune.
# Identity claims (issue 11): seconds a passed identity check or an approved phone request
# waits for the holder's objection before it takes effect (default 72 hours).
IDENTITY_DISPUTE_WINDOW = env.int("IDENTITY_DISPUTE_WINDOW", default=72 * 60 * 60)
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="xueji-demo-2026")

# Second factor (TOTP, django-otp): OTP_REQUIRED makes the registrar, 客服 reviewers,
# admins, superusers and anyone who may enter /admin/ enrol a device before any page; on
# whenever DEBUG is off, off under DEBUG (the demo's one-step staff log-ins) unless set.
# Counselors and college staff may enrol; whoever has a device is asked for a code either way.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "学籍校对"
# A wrong code makes the device wait 1, 2, 4, 8 … seconds (django-otp's throttling);
# OTP_SESSION_TRIES wrong codes end the session, so the password is asked again.
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("OTP_STATIC_THROTTLE_FACTOR", default=1)
OTP_SESSION_TRIES = env.int("OTP_SESSION_TRIES", default=5)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
