"""File names of a photo batch as staff pages show them.

The collection unit names each photo by the student's ID number (or 考生号), so a batch's
report is a list of full ID numbers; beside the student's name and 学号 they must be
masked (accounts.idnumbers.mask) like every ID number on a page. The extension, the
folder and the reason stay readable: the registrar still sees what went wrong.
"""

from __future__ import annotations

import posixpath
import re

from accounts import idnumbers
from accounts.lookup import DOCUMENT_NUMBER_RE, ID_NUMBER_RE

# An ID number inside a longer text (a folder name, an older reason), not part of a
# longer run of letters and digits.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9A-Za-z])")


def _is_number(stem: str) -> bool:
    number = idnumbers.normalize(stem)
    return bool(ID_NUMBER_RE.match(number) or DOCUMENT_NUMBER_RE.match(number))


def mask_numbers_in(text: str) -> str:
    """`text` with every ID number in it masked."""
    return _ID_IN_TEXT.sub(lambda found: idnumbers.mask(found.group(0)), text or "")


def masked_file_name(name: str) -> str:
    """`name` with its stem masked when the stem is an ID, document or examinee number
    ("110101200501011234.jpg" -> "**************1234.jpg"); other names as they are."""
    cut = max(name.rfind("/"), name.rfind("\\")) + 1
    folder, base = name[:cut], name[cut:]
    stem, suffix = posixpath.splitext(base)
    if _is_number(stem.strip()):
        stem = idnumbers.mask(stem)
    return mask_numbers_in(folder) + stem + suffix
