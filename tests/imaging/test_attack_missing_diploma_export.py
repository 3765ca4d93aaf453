"""Attack: the 学历照片未确认 export follows the list's filters but does not say so."""

from __future__ import annotations

import pytest

from tests.report_helpers import report_table


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.mark.django_db
def test_attack_a_filtered_missing_diploma_export_says_what_it_was_filtered_by(client_for, world):
    """Filtered to class A, the export holds alice and bob only, yet its note names the
    whole institution (export_note(user) with no filter words, unlike the 有误 queue's):
    printed, it reads as the complete list of the 2027 graduates."""
    response = client_for(world.registrar).get(
        "/photos/missing-diploma/export/", {"year": 2027, "school_class": world.class_a.code}
    )
    _header, rows, sheet = report_table(_content(response))

    assert {row[1] for row in rows} == {world.alice_record.name, world.bob_record.name}
    assert world.class_a.code in str(sheet["A2"].value), sheet["A2"].value
