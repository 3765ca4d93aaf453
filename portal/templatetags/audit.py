"""How an audit event reads on a page (portal.lib.audit_labels): its action in words, one
line a changed field, its time as a person writes it."""

from django import template

from portal.lib import audit_labels

register = template.Library()


@register.filter
def change_lines(event) -> list[audit_labels.ChangeLine]:
    """Each change as label, before, after (after None: one value noted, e.g. a file)."""
    return audit_labels.change_lines(event)


@register.filter
def action_label(code: str) -> str:
    return audit_labels.action_label(code)


@register.filter
def event_time(moment) -> str:
    return audit_labels.event_time(moment) if moment else ""
