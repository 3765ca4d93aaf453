"""How long something has waited or is left, as the portal says it everywhere (还剩 3 天,
已等待 5 小时): the students' notices use the same words (notices.student.span_words)."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from notices.student import span_words

register = template.Library()


def _words(delta: datetime.timedelta) -> str:
    if delta < datetime.timedelta(minutes=1):
        return _("不到 1 分钟")
    return span_words(delta)


@register.filter
def waited(since: datetime.datetime | None) -> str:
    """已等待 …: the time since `since`."""
    return _words(timezone.now() - since) if since else ""


@register.filter
def left(until: datetime.datetime | None) -> str:
    """还剩 …: the time until `until`."""
    return _words(until - timezone.now()) if until else ""
