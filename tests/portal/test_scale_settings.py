"""The settings that take the portal from one machine to several (docs/deploy.md): each
read from the environment, each off by default."""

import importlib.util

import pytest

from tests.settings_probe import read_settings

SHOW = (
    "{'cache': settings.CACHES['default'], 'db': settings.DATABASES['default'],"
    " 'tasks': settings.TASKS, 'apps': settings.INSTALLED_APPS,"
    " 'rq': getattr(settings, 'RQ_QUEUES', None), 'storage': settings.STORAGES['default'],"
    " 'sessions': settings.SESSION_ENGINE, 'throttle': settings.THROTTLE_REDIS_URL}"
)


def _settings(**env: str) -> dict:
    return read_settings(SHOW, **env)


def _needs(module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is in the `scale` extra (make install-scale)")


def test_defaults_stay_on_one_machine():
    settings = _settings()

    assert settings["cache"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings["tasks"]["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings["storage"]["BACKEND"] == "portal.lib.storage.PrivateFileSystemStorage"
    assert settings["sessions"] == "django.contrib.sessions.backends.db"
    assert "django_rq" not in settings["apps"]
    assert settings["throttle"] == ""  # throttling counters in the database table


@pytest.mark.parametrize(
    ("cache_url", "throttle"),
    [
        ("redis://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
        ("rediscache://127.0.0.1:6379/3", "redis://127.0.0.1:6379/3"),
        ("locmemcache://portal", ""),
    ],
)
def test_throttling_counters_follow_a_redis_cache_url(cache_url, throttle):
    """Never a per-process cache: Redis when the cache is Redis, else the database."""
    assert _settings(CACHE_URL=cache_url)["throttle"] == throttle


def test_a_redis_cache_url_uses_djangos_own_redis_backend():
    settings = _settings(CACHE_URL="redis://127.0.0.1:6379/3")

    assert settings["cache"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert settings["cache"]["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_postgres_keeps_persistent_connections_unless_the_pool_is_asked_for():
    url = "postgres://u@db:5432/xueji"

    persistent = _settings(DATABASE_URL=url)["db"]
    pooled = _settings(DATABASE_URL=url, DB_POOL="1", DB_POOL_MAX_SIZE="8")["db"]

    assert persistent["CONN_MAX_AGE"] == 60
    assert "pool" not in persistent.get("OPTIONS", {})
    assert pooled["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections
    assert pooled["OPTIONS"]["pool"]["max_size"] == 8


def test_the_object_store_is_private_and_signed():
    settings = _settings(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME="xueji-media",
        AWS_S3_ENDPOINT_URL="https://s3.example.edu.cn",
    )

    storage = settings["storage"]
    assert storage["BACKEND"] == "portal.lib.objectstore.PrivateS3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "xueji-media"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["querystring_auth"] is True


def test_the_object_store_never_hands_out_a_url():
    _needs("storages")
    from portal.lib.objectstore import PrivateS3Storage

    storage = PrivateS3Storage(bucket_name="xueji-media", access_key="a", secret_key="b")

    with pytest.raises(NotImplementedError):
        storage.url("photos/x.jpg")


def test_the_rq_backend_brings_its_apps_and_queue():
    _needs("django_tasks_rq")

    settings = _settings(
        TASKS_BACKEND="django_tasks_rq.RQBackend", REDIS_URL="redis://10.0.0.5:6379/2"
    )

    assert {"django_rq", "django_tasks_rq"} <= set(settings["apps"])
    assert settings["rq"]["default"]["URL"] == "redis://10.0.0.5:6379/2"
