"""Staff exports printed to PDF by LibreOffice: A4, the header on every page, every row
whole, page numbers (portal.lib.xlsx.write_report)."""

import io
import shutil
import subprocess

import pytest

from portal.lib.xlsx import Report, report_bytes

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) not installed: apt-get install libreoffice-calc-nogui",
)
HEADER = ["学号", "姓名", "学院", "班级", "证件号码", "账号", "已查看", "校对情况"]


def _row(n: int) -> list:
    return [f"2023{n:06d}", "欧阳娜娜", "信息工程学院", "2023级软件技术1班",
            f"1101012004010{n % 10}***{n % 10}", "已注册，未绑定", "否",
            "学籍信息未确认；照片未校对"]  # fmt: skip


def _pages(tmp_path, report: Report):
    from pypdf import PdfReader

    source = tmp_path / "report.xlsx"
    source.write_bytes(report_bytes(report))
    subprocess.run(
        [
            SOFFICE, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to", "pdf", "--outdir", str(tmp_path), str(source),
        ],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return PdfReader(io.BytesIO((tmp_path / "report.pdf").read_bytes())).pages


def test_a_wide_list_prints_landscape_on_a4_with_every_row_whole(tmp_path):
    pages = _pages(
        tmp_path, Report(title="未完成名单", header=HEADER, rows=[_row(n) for n in range(90)])
    )

    assert len(pages) >= 2
    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = "".join(page.extract_text() for page in pages)
    assert all(f"2023{n:06d}" in text for n in range(90))  # no 学号 cut or lost
    assert text.count("2023级软件技术1班") == 90
    assert "学号" in pages[1].extract_text()  # the header on the second page too
    assert "第 2 页" in pages[1].extract_text()


def test_a_narrow_list_prints_portrait(tmp_path):
    rows = [[f"2023{n:06d}", "李晓梅", "2027-07-01"] for n in range(10)]

    pages = _pages(
        tmp_path, Report(title="名单", header=["学号", "姓名", "预计毕业日期"], rows=rows)
    )

    width, height = float(pages[0].mediabox.width), float(pages[0].mediabox.height)
    assert (round(width), round(height)) == (595, 842)


def test_the_twelve_columns_of_the_queue_export_print_on_one_page_width(tmp_path):
    from records.exports import queue_header

    row = ["2026-12-01 09:30", "信息工程学院", "2023级软件技术1班", "2023000001", "欧阳娜娜",
           "**************123X", "民族", "汉族", "回族", "待处理", "", ""]  # fmt: skip
    pages = _pages(tmp_path, Report(title="学籍有误申请", header=queue_header(), rows=[row] * 40))

    text = "".join(page.extract_text() for page in pages)
    assert text.count("2023000001") == 40
    assert "处理时间" in pages[0].extract_text()  # the last column on the page, not on its own
    assert round(float(pages[0].mediabox.width)) == 842  # landscape
