"""Template helpers of the record pages."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from records.models import CheckResult, RecordStatus
from records.rules import label as field_label
from records.rules import value_for_others
from records.self_check import check_state

register = template.Library()


@register.simple_tag
def record_state(record):
    """The record's self-check state as a badge. A tag, not an include: class pages
    render it once per student, and an include per row was most of their cost."""
    if getattr(record, "has_open_report", False):
        css, text = "disputed", _("已报有误，待处理")
    elif getattr(record, "is_confirmed", False):
        css, text = "confirmed", _("已确认正确")
    elif record.status == RecordStatus.UNREGISTERED:
        css, text = "none", _("学籍未注册")
    elif not check_state(record).checkable:  # 已毕业 or ended: nothing left to check
        css, text = "none", _("无需校对")
    elif record.first_viewed_at:
        css, text = "looked", _("已查看，未确认")
    elif record.user_id:
        css, text = "unverified", _("未查看")
    else:
        css, text = "none", _("未绑定账号")
    return format_html('<span class="state state-{}">{}</span>', css, text)


@register.simple_tag
def degree_state(degree):
    """A degree's self-check state as a badge, in record_state's words, from its stored
    check result (records.progress): the same badge wherever the degree shows — her
    degree card, its page, or beside her 本科 record as her 专科 degree."""
    if degree.check_result == CheckResult.REPORTED:
        css, text = "disputed", _("已报有误，待处理")
    elif degree.check_result == CheckResult.CONFIRMED:
        css, text = "confirmed", _("已确认正确")
    elif degree.first_viewed_at:
        css, text = "looked", _("已查看，未确认")
    else:
        css, text = "unverified", _("未查看")
    return format_html('<span class="state state-{}">{}</span>', css, text)


@register.simple_tag
def discrepancy_submitted(report, back: str = ""):
    """The 有误 queue's first cell: when the report came in, linked to it (with `back`,
    the queue's query string, so that the decision returns to the same queue), and how
    long it has waited in calendar days. One tag a row,
    not a url tag, two date filters and a timesince: a page shows 50 rows."""
    submitted = timezone.localtime(report.created_at)
    days = (timezone.localdate() - submitted.date()).days  # calendar days, as people count
    waited = _("已等待 %(n)d 天") % {"n": days} if days > 0 else _("今天提交")
    return format_html(
        '<a href="{}">{}</a><br><span class="muted">{}</span>',
        reverse("records:discrepancy_detail", args=[report.pk]) + (f"?{back}" if back else ""),
        submitted.strftime("%Y-%m-%d %H:%M"),
        waited,
    )


@register.simple_tag
def reported_values(item):
    """A 有误 item as a list seen by others than the student shows it: the field, then
    "current → claimed" as records.rules.value_for_others shows them (the
    registrar's decision page shows them whole)."""
    label = _field_name(item.field)
    current = value_for_others(item.field, item.current_value)
    if current is None:
        return label
    claimed = value_for_others(item.field, item.claimed_value)
    return format_html("{}：{} → {}", label, current or "—", claimed)


@register.simple_tag
def own_reported_values(item):
    """A 有误 item as the student who filed it sees it: the field, then her values whole
    ("民族：汉族 → 回族"), so that a date or a number says which field it was."""
    return format_html(
        "{}：{} → {}", _field_name(item.field), item.current_value or "—", item.claimed_value
    )


def _field_name(name: str) -> str:
    try:
        return field_label(name)
    except FieldDoesNotExist:  # a field renamed since the report: its stored name
        return name
