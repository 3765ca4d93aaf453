"""Links to one object per table row, and the navigation's links, without a reverse()
each time.

reverse() costs 50–80 µs here (namespace, language and converters are resolved on every
call); the class page links 40 students, the 有误 queue 50 reports, so the links were a
sixth of those pages. One object's URL differs from another's only in its number: the
pattern is reversed once per process (and script prefix) with a stand-in number, and
each row's number is put in its place. A link without arguments (every page's
navigation: five to nine of them) is reversed once per process and script prefix.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# Never a real primary key in a URL this portal reverses (tests check the halves).
_STAND_IN = 9_007_199_254_740_991


@functools.lru_cache(maxsize=128)
def _halves(viewname: str, prefix: str, urlconf) -> tuple[str, str]:
    url = reverse(viewname, args=[_STAND_IN], urlconf=urlconf)
    head, found, tail = url.partition(str(_STAND_IN))
    if not found or str(_STAND_IN) in tail:
        raise ValueError(f"{viewname} does not take one number")
    return head, tail


def _where() -> tuple[str, str]:
    return get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF


def object_url(viewname: str, pk: int) -> str:
    """reverse(viewname, args=[pk]) for a URL whose one argument is an integer."""
    head, tail = _halves(viewname, *_where())
    return f"{head}{int(pk)}{tail}"


@functools.lru_cache(maxsize=128)
def _plain(viewname: str, prefix: str, urlconf) -> str:
    return reverse(viewname, urlconf=urlconf)


def view_url(viewname: str) -> str:
    """reverse(viewname) for a URL without arguments (the navigation of every page)."""
    return _plain(viewname, *_where())
