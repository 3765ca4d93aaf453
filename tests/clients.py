"""Test clients held to CSRF as a browser is (docs/security.md "Testing traps": the test
client skips CSRF unless told), and the POST that sends the token back."""

from __future__ import annotations

from django.test import Client

from accounts.models import User


def csrf_client(user: User | None = None, first_page: str | None = None) -> Client:
    """A client that enforces CSRF, logged in as `user` (anonymous without one); with
    `first_page`, that page is opened first, so the client holds the CSRF cookie."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    if first_page is not None:
        client.get(first_page)
    return client


def csrf_post(
    client: Client, url: str, data: dict | None = None, *, page: str | None = None, **extra
):
    """POST `data` to `url` with the CSRF token. `page` is opened first, as a browser
    opens the form before sending it; without `page`, the token the client already holds
    is sent (opening `url` only if it holds none). `extra` goes to `client.post`
    (`follow=True`, headers)."""
    if page is not None or "csrftoken" not in client.cookies:
        client.get(page or url)
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)
