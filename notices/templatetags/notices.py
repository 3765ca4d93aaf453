from django import template

from notices.rendering import render_markdown

register = template.Library()


@register.filter
def notice_markdown(text: str):
    """{{ notice.body|notice_markdown }}: Markdown rendered and sanitised."""
    return render_markdown(text)
