"""argon2id at OWASP's floor (issue 17 §1): new passwords get m = 19 MiB, t = 2, p = 1, and a
hash made with Django's heavier Argon2 defaults is rehashed at the next log-in."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.test import Client

from accounts.hashers import Argon2idOwaspHasher
from tests import factories

OURS = "accounts.hashers.Argon2idOwaspHasher"


def params(encoded: str) -> dict:
    decoded = Argon2idOwaspHasher().decode(encoded)
    return {k: decoded[k] for k in ("memory_cost", "time_cost", "parallelism")}


def test_a_new_password_is_argon2id_at_owasps_floor(settings):
    settings.PASSWORD_HASHERS = [OURS]

    encoded = make_password("Campus-2026!")

    assert encoded.startswith("argon2$argon2id$")
    assert params(encoded) == {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
    assert check_password("Campus-2026!", encoded)


@pytest.mark.django_db
def test_a_hash_with_djangos_defaults_is_rehashed_at_log_in(settings):
    settings.PASSWORD_HASHERS = [OURS]
    user = factories.user(username="heavy")
    user.password = Argon2PasswordHasher().encode("Campus-2026!", Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert params(user.password)["memory_cost"] == 100 * 1024

    client = Client()
    client.get("/accounts/login/")
    response = client.post("/accounts/login/", {"username": "heavy", "password": "Campus-2026!"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert params(user.password) == {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}
    assert check_password("Campus-2026!", user.password)


def test_the_project_settings_put_it_first():
    from portal import settings as project

    assert project.PASSWORD_HASHERS[0] == OURS
