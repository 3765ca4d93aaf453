import time

from django.test import Client

from accounts.middleware import LAST_SEEN_KEY
from tests import factories


def _login(client, username, password):
    client.get("/accounts/login/")
    return client.post(
        "/accounts/login/",
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )


def test_it_logs_in_with_user_name_and_password(world):
    client = Client(enforce_csrf_checks=True)

    response = _login(client, "alice", factories.PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "李晓梅" in client.get("/").content.decode()


def test_a_wrong_password_says_what_to_do_in_chinese(world):
    client = Client(enforce_csrf_checks=True)

    response = _login(client, "alice", "wrong-password")

    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


def test_a_cancelled_account_cannot_log_in(world):
    world.bob.is_active = False
    world.bob.save()

    response = _login(Client(enforce_csrf_checks=True), "bob", factories.PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session


def test_logout_needs_post_and_ends_the_session(client_for, world):
    client = client_for(world.alice)

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")

    assert client.get("/records/mine/").status_code == 302


def test_an_idle_session_ends_after_the_time_out(client_for, world, settings):
    client = client_for(world.alice)
    client.get("/")
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()

    response = client.get("/records/mine/")

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_active_session_stays(client_for, world):
    client = client_for(world.alice)
    client.get("/")

    assert client.get("/records/mine/").status_code == 200


def test_a_login_page_query_count_is_small(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert client.get("/accounts/login/").status_code == 200
