"""Notice bodies and help pages: Markdown without raw HTML, then sanitised (docs/security.md).

Raw HTML in the text is shown as text (the Markdown parser's HTML handling is switched
off), and nh3 keeps only a small set of tags and attributes on what Markdown produced,
so that nothing a registrar pastes can run in a student's browser.
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


class _NoH1(Treeprocessor):
    """The page's own <h1> is the title: a "# 一、…" heading in the text becomes an <h2>."""

    def run(self, root):
        for element in root.iter("h1"):
            element.tag = "h2"


class _NoticeMarkdown(Extension):
    """Raw HTML blocks and inline tags stay text; autolinks (<http://…>) still work."""

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's API)
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_NoH1(md), "no_h1", 5)


def _parser() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[_NoticeMarkdown(), "sane_lists", "tables"],
        extension_configs={"tables": {"use_align_attribute": True}},
    )


def render_markdown(text: str) -> SafeString:
    """Safe HTML for a notice body or a help page."""
    html = _parser().convert(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 (sanitised by nh3 just above)


def plain_text(text: str) -> str:
    """The words of a Markdown text without any markup, for search and summaries."""
    return nh3.clean(_parser().convert(text or ""), tags=set()).strip()
