"""Settings for the test suite: the production settings with fast, in-process parts."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")

from portal.settings import *  # noqa: E402,F403
from portal.settings import BASE_DIR  # noqa: E402

# Argon2 costs ~77 ms a check; tests hash hundreds of passwords (docs/quality.md).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {
        "BACKEND": "portal.lib.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / ".test-media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "accounts.sms.LocmemBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Throttling counters in the test database (rolled back with each test); the Redis store
# is tested on its own Redis database (tests/conftest.py redis_store).
THROTTLE_REDIS_URL = ""
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# The browser tests talk plain HTTP to the live server.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Static files come from the finders; no collectstatic before tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# The second factor stays off here (most tests log staff in with force_login); the tests
# of it turn it on with the `settings` fixture (tests/accounts/test_second_factor.py).
OTP_REQUIRED = False
