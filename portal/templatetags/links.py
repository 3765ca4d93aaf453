"""`{% object_url 'records:record_detail' record.pk %}`: {% url %} for one number, for
table rows (portal.links)."""

from django import template

from portal import links

register = template.Library()


@register.simple_tag
def object_url(viewname: str, pk: int) -> str:
    return links.object_url(viewname, pk)
