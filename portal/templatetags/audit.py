"""How an audit event's `changes` read on a page: one line a field."""

from django import template

register = template.Library()


@register.filter
def change_lines(changes) -> list[str]:
    """{field: [before, after]} as "field：before → after"; a single value (what an access
    event notes, e.g. the exported file's name) as "field：value"."""
    lines = []
    for field, values in (changes or {}).items():
        if isinstance(values, list | tuple) and len(values) == 2:
            before, after = (v if v not in (None, "") else "—" for v in values)
            lines.append(f"{field}：{before} → {after}")
        else:
            lines.append(f"{field}：{values if values not in (None, '') else '—'}")
    return lines
