"""Every staff export, downloaded as staff download it, is a report a person prints as is:
a title over the table, A4 fitted to the width, the header row repeated on every page, a
file name a person would give it; and, where LibreOffice is installed, its PDF has every
column on the first page's width (portal.lib.xlsx.write_report)."""

from __future__ import annotations

import io
import shutil
import subprocess
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook

from imaging.models import PhotoKind, PhotoState
from notices.models import NoticeAudience
from portal.lib.xlsx import HEADER_ROW
from records.models import EnrollmentRecord
from records.services.corrections import discrepancy_accept
from tests.notices.conftest import bulk_student, make_notice, photo, report

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture
def exports(world):
    """(name, method, url) of every staff report, with rows in each."""
    notice = make_notice(world, is_required=True)
    NoticeAudience.objects.create(notice=notice, cohort=2023)
    for _ in range(3):
        bulk_student(world.class_a, with_account=False)  # unreachable: no account
    accepted = report(world.alice_record)
    discrepancy_accept(report=accepted, by=world.registrar, fields=["ethnicity"])
    report(world.bob_record)
    world.dave_record.expected_graduation = world.dave_record.expected_graduation.replace(year=2027)
    world.dave_record.save()
    photo(world.dave_record, kind=PhotoKind.DIPLOMA, state=PhotoState.UNVERIFIED)
    # A 专升本 student whose 专科 diploma the roster names (not found).
    EnrollmentRecord.objects.filter(pk=world.carol_record.pk).update(
        prior_certificate_number="137681202106000001"
    )
    return [
        ("学生名单", "post", "/records/export/"),
        ("未确认学历照片名单", "get", "/photos/missing-diploma/export/?year=2027"),
        ("未完成名单", "get", f"/notices/{notice.pk}/pending.xlsx"),
        ("必须完成任务未完成名单", "get", f"/notices/{notice.pk}/required.xlsx"),
        ("无法联系的学生", "get", f"/notices/{notice.pk}/remind/unreachable.xlsx"),
        ("学籍有误申请", "get", "/records/queue/export/"),
        ("学籍更正明细", "get", "/records/corrections/export/"),
        ("专升本学生专科学历名单", "get", "/records/zsb/export/"),
    ]


def _download(client, method: str, url: str):
    response = getattr(client, method)(url)
    if response.status_code == 302 and response["Location"].startswith("/jobs/"):
        # A big list is written by a background job (run at once in the tests).
        response = client.get(response["Location"] + "download/")
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    filename = unquote(response["Content-Disposition"].split("filename*=UTF-8''")[-1])
    return b"".join(response) if response.streaming else response.content, filename


def test_every_staff_export_is_a_printable_report(client_for, world, exports):
    client = client_for(world.registrar)
    for title, method, url in exports:
        content, filename = _download(client, method, url)
        sheet = load_workbook(io.BytesIO(content)).active

        assert title in str(sheet["A1"].value), (url, sheet["A1"].value)
        assert title in filename and filename.endswith(".xlsx"), filename
        assert "示例职业大学" in filename  # whose list it is
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4), url
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, url
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0), url
        assert sheet.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}", url
        header = [c.value for c in sheet[HEADER_ROW] if c.value]
        assert len(header) >= 4, url
        data = list(sheet.iter_rows(min_row=HEADER_ROW + 1, values_only=True))
        assert data, f"{url}: no rows"
        for column, name in enumerate(header, start=1):
            letter = sheet.cell(row=HEADER_ROW, column=column).column_letter
            width = sheet.column_dimensions[letter].width
            assert width and width >= 4, (url, name, width)
            assert sheet.cell(row=HEADER_ROW, column=column).border.left.style, (url, name)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) not installed")
def test_every_staff_export_prints_every_column_on_the_first_pages_width(
    client_for, world, exports, tmp_path
):
    from pypdf import PdfReader

    client = client_for(world.registrar)
    sources = []
    for n, (_title, method, url) in enumerate(exports):
        content, _filename = _download(client, method, url)
        source = tmp_path / f"export{n}.xlsx"
        source.write_bytes(content)
        header = [c.value for c in load_workbook(source).active[HEADER_ROW] if c.value]
        sources.append((url, source, header))
    subprocess.run(
        [SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *(str(s) for _u, s, _h in sources)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for url, source, header in sources:
        pages = PdfReader(io.BytesIO(source.with_suffix(".pdf").read_bytes())).pages
        size = sorted(
            (round(float(pages[0].mediabox.width)), round(float(pages[0].mediabox.height)))
        )
        assert size == [595, 842], (url, size)  # A4, either way round
        first = pages[0].extract_text().replace(" ", "").replace("\n", "")
        for name in header:
            assert name.replace(" ", "") in first, (url, name)
