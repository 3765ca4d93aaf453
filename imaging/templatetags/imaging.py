"""`{% photo_panel record photos %}`: the 图像校对 block of a record page
(templates/imaging/_record_panel.html, one of the panels of records.panels), in a fixed
number of queries per page."""

from django import template

from imaging.selectors import photo_panel as panel_data

register = template.Library()


@register.inclusion_tag("imaging/_photo_panel.html", takes_context=True)
def photo_panel(context, record, photos):
    request = context["request"]
    # One memo per request: the look-ups are shared by the records of one page.
    memo = request.__dict__.setdefault("_imaging_photo_panel", {})
    return panel_data(record=record, photos=list(photos or []), viewer=request.user, memo=memo)


@register.filter
def thumbnail_height(photo, width: int = 120) -> int:
    """The thumbnail's height at `width` px wide, so that the page does not jump."""
    if not photo.width:
        return width
    return max(1, round(photo.height * int(width) / photo.width))
