"""How an audit event's `changes` read on a page: one line a field."""

from django import template

from portal.lib.audit import as_change

register = template.Library()


@register.filter
def change_lines(changes) -> list[str]:
    """{field: [before, after]} as "field：before → after"; a single value (what an access
    event notes, e.g. the exported file's name) as "field：value"."""
    lines = []
    for field, values in (changes or {}).items():
        change = as_change(values)
        if change is not None:
            before, after = (v if v not in (None, "") else "—" for v in change)
            lines.append(f"{field}：{before} → {after}")
        else:
            lines.append(f"{field}：{values if values not in (None, '') else '—'}")
    return lines
