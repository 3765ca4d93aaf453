"""What the forms of every app share."""

from django.utils.translation import gettext_lazy as _

# A text box's message for a NUL character (ProhibitNullCharactersValidator), which
# PostgreSQL cannot store: said as docs/quality.md "Clear errors" asks, in words a person
# who pasted a stray control character understands. Every form with a text box that
# reaches a query shares it.
NUL_ERRORS = {"null_characters_not_allowed": _("含有无法识别的字符，请重新输入。")}
