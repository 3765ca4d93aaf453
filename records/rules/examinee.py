"""The 考生号 (examinee number) and the fields it repeats.

A 14-digit 考生号 of the national college entrance exam (高考) begins with the last two
digits of the exam year, then the two-digit province code of GB/T 2260 (the province
where the student sat the exam, i.e. 生源省市): 23 36 0102 ……. Students are admitted in
the year of their 高考, so the year is the 录取年份. Other forms (adult and online
education, older or shorter numbers) carry no such parts and are not checked.

A disagreement is a warning, not an error: the 考生号 is what the exam office issued,
and a student who re-sat the exam elsewhere is rare but real; the registrar decides.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from records import regions

EXAMINEE_NUMBER_DIGITS = 14


def examinee_number_warnings(
    examinee_number: str, admission_year: int | None, origin_region: str | None
) -> list[tuple[str, str]]:
    """(field key, Chinese reason) for each part of a 14-digit 考生号 that disagrees with
    录取年份 (digits 1–2) or 生源省市 (digits 3–4); [] for any other 考生号."""
    number = examinee_number or ""
    if len(number) != EXAMINEE_NUMBER_DIGITS or not (number.isascii() and number.isdigit()):
        return []
    warnings = []
    year = number[:2]
    if admission_year and year != f"{admission_year % 100:02d}":
        reason = _("考生号第 1–2 位“%(digits)s”是高考年份，与录取年份 %(year)d 不符") % {
            "digits": year,
            "year": admission_year,
        }
        warnings.append(("examinee_number", reason))
    province = number[2:4]
    if origin_region and province != origin_region[:2]:
        code = f"{province}0000"
        shown = regions.region_name(code)
        shown = "" if shown == code else shown  # digits that name no province
        reason = _("考生号第 3–4 位“%(digits)s”%(province)s与生源省市（%(origin)s）不符") % {
            "digits": province,
            "province": f"（{shown}）" if shown else "",
            "origin": regions.region_name(regions.province_code(origin_region)),
        }
        warnings.append(("examinee_number", reason))
    return warnings
