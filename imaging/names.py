"""File names of a photo batch as the import stores them.

The collection unit names each photo by the student's ID number (or 考生号), so a batch's
report would be a list of full ID numbers; beside the student's name and 学号 they must be
masked (portal.lib.idnumbers.mask) like every ID number on a page, and so they are stored
masked (imaging.batches). The extension, the folder and the reason stay readable: the
registrar still sees what went wrong.
"""

from __future__ import annotations

import posixpath
import re

from accounts.lookup import DOCUMENT_NUMBER_RE, ID_NUMBER_RE
from portal.lib import idnumbers

# An ID number anywhere in a text (a file name such as "张三_<ID>(1).jpg", a folder, an
# older reason): a run of 15 or more digits (an 18-character number ends in a digit or
# X), not part of a longer run of digits. Letters may touch it ("<ID>new.jpg"). Runs
# longer than an ID number are masked too: a number typed with an extra digit is still
# a number.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{15,}[Xx]?(?!\d)")
# A number typed in groups ("110101 20050101 1234", "110101-20050101-1234",
# "11010120050101_1234"): digit groups joined by single separators, masked when their
# digits add up to 15 or more (a 学号 or a date beside a name stays readable).
_GROUPED_ID_IN_TEXT = re.compile(r"(?<!\d)\d+(?:[ \-_.]\d+)+[Xx]?(?!\d)")
_GROUPED_ID_MIN_DIGITS = 15
# A passport or permit number ("E12345678", "G12345678", "H1234567890"): one or two
# letters, not part of a longer word, then 7 to 10 digits.
_DOCUMENT_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,2}\d{7,10}(?!\d)")


def _is_number(stem: str) -> bool:
    number = idnumbers.normalize(stem)
    return bool(ID_NUMBER_RE.match(number) or DOCUMENT_NUMBER_RE.match(number))


def mask_numbers_in(text: str) -> str:
    """`text` with every ID number in it masked: whole (`_ID_IN_TEXT`), typed in groups
    (`_GROUPED_ID_IN_TEXT`, the separators stay where they were) and passport or permit
    numbers (`_DOCUMENT_IN_TEXT`)."""
    text = _ID_IN_TEXT.sub(lambda found: idnumbers.mask(found.group(0)), text or "")
    text = _GROUPED_ID_IN_TEXT.sub(_mask_grouped, text)
    return _DOCUMENT_IN_TEXT.sub(lambda found: idnumbers.mask(found.group(0)), text)


def _mask_grouped(found: re.Match) -> str:
    typed = found.group(0)
    characters = [c for c in typed if c not in " -_."]
    if sum(c.isdigit() for c in characters) < _GROUPED_ID_MIN_DIGITS:
        return typed
    masked = iter(idnumbers.mask("".join(characters)))
    return "".join(c if c in " -_." else next(masked) for c in typed)


def masked_file_name(name: str) -> str:
    """`name` with every ID number in it masked ("张三_110101200501011234(1).jpg" ->
    "张三_**************1234(1).jpg"), and its stem masked when the whole stem is a
    document or examinee number ("E12345678.jpg" -> "*******78.jpg"); the rest of the
    name as it is."""
    cut = max(name.rfind("/"), name.rfind("\\")) + 1
    folder, base = name[:cut], name[cut:]
    stem, suffix = posixpath.splitext(base)
    if _is_number(stem.strip()):
        stem = idnumbers.mask(stem)
    return mask_numbers_in(folder + stem + suffix)
