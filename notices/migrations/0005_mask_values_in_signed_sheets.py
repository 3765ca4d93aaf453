"""Sheets signed before reported values were masked stored a classmate's full ID number in
校对结果 ("证件号码有误：现为“…18 digits…”，应为“…”"). Rewrite the stored rows as the sheet now
words them (notices.feedback._item_words): ID numbers masked to their last characters,
birth dates to the year, 生源 and 考生号 values dropped; and keep the monitor's brief (only
which field was reported). The rule is copied here so this migration never changes with
the code. Reversing is a no-op: the full values are not kept anywhere to put back."""

import re

from django.db import migrations

_REPORTED = re.compile(r"(?P<label>[^；]+?)有误：现为“(?P<current>.*?)”，应为“(?P<claimed>.*?)”(?=；|$)")
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}")
_SPACE = re.compile(r"\s")


def _mask(value: str) -> str:
    text = _SPACE.sub("", value)
    size = len(text)
    tail = 4 if size == 18 else 3 if size == 15 else 2 if size >= 8 else 0
    return "*" * (size - tail) + text[size - tail :]


def _year(value: str) -> str:
    found = _YEAR.search(value)
    return f"{found.group(0)}年" if found else "*"


_RULES = {"证件号码": _mask, "出生日期": _year, "生源省市": None, "考生号": None}


def _masked(match: re.Match) -> str:
    label, current, claimed = match.group("label", "current", "claimed")
    if label not in _RULES:
        return match.group(0)
    rule = _RULES[label]
    if rule is None:
        return f"{label}有误"
    shown = current if current == "空" else rule(current)
    return f"{label}有误：现为“{shown}”，应为“{rule(claimed)}”"


def _brief(result: str) -> str:
    return _REPORTED.sub(lambda m: f"{m.group('label')}有误", result)


def mask_signed_rows(apps, schema_editor):
    FeedbackSheet = apps.get_model("notices", "FeedbackSheet")
    for sheet in FeedbackSheet.objects.exclude(signed_rows=None).iterator(chunk_size=200):
        rows = []
        for row in sheet.signed_rows:
            result = _REPORTED.sub(_masked, row.get("result", ""))
            rows.append({**row, "result": result, "brief": _brief(result)})
        if rows != sheet.signed_rows:
            sheet.signed_rows = rows
            sheet.save(update_fields=["signed_rows"])


class Migration(migrations.Migration):
    dependencies = [("notices", "0004_notice_revision")]

    operations = [migrations.RunPython(mask_signed_rows, migrations.RunPython.noop)]
