"""Staff exports as reports (portal.lib.xlsx.write_report): printable as they are."""

import io

from openpyxl import load_workbook

from portal.lib.xlsx import HEADER_ROW, MAX_WIDTH, Report, download_name, report_bytes
from tests.report_helpers import report_table


def _report(rows, **kwargs):
    header = ["学号", "姓名", "证件号码", "班级"]
    return report_bytes(Report(title="未完成名单", header=header, rows=rows, **kwargs))


def test_the_title_and_note_stand_over_the_whole_table():
    content = _report(
        [["2023000001", "李晓梅", "110***1234", "2023级软件技术1班"]], note="理工学院"
    )

    header, rows, sheet = report_table(content)

    assert sheet["A1"].value == "未完成名单" and sheet["A1"].font.b
    assert sheet["A2"].value == "理工学院"
    assert {str(r) for r in sheet.merged_cells.ranges} == {"A1:D1", "A2:D2"}
    assert header == ("学号", "姓名", "证件号码", "班级")
    assert rows == [("2023000001", "李晓梅", "110***1234", "2023级软件技术1班")]


def test_every_cell_of_the_table_is_boxed_and_the_header_is_bold():
    _header, _rows, sheet = report_table(
        _report([["1", "王强", None, "x"], ["2", "陈静", "y", "z"]])
    )

    table = sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + 2, max_col=4)
    cells = [cell for row in table for cell in row]
    assert all(cell.border.left.style == cell.border.bottom.style == "thin" for cell in cells)
    assert all(cell.font.b for cell in sheet[HEADER_ROW])


def test_columns_are_as_wide_as_their_content_up_to_a_bound_then_wrap():
    long = "很长的说明" * 20
    _header, _rows, sheet = report_table(_report([["2023000001", "李晓梅", "x", long]]))

    widths = {c: sheet.column_dimensions[c].width for c in "ABCD"}
    assert widths["A"] >= len("2023000001")  # the 学号 is never cut
    assert widths["B"] >= 2 * len("李晓梅")  # a Chinese character is two units wide
    assert widths["D"] == MAX_WIDTH
    assert sheet["D4"].alignment.wrap_text


def test_it_prints_on_a4_fitted_to_the_width_with_the_header_on_every_page():
    _header, _rows, sheet = report_table(_report([[str(n), "名", "x", "y"] for n in range(300)]))

    setup = sheet.page_setup
    assert setup.paperSize == 9 and setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert "&P" in sheet.oddFooter.center.text
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:D{HEADER_ROW + 300}"


def test_a_wide_table_prints_landscape_a_narrow_one_portrait():
    narrow = load_workbook(io.BytesIO(_report([["1", "名", "x", "y"]]))).active
    wide_row = ["2023000001", "某某某", "110***1234", "说明" * 40]
    header = [f"列{n}" for n in range(8)]
    wide = load_workbook(
        io.BytesIO(report_bytes(Report(title="t", header=header, rows=[wide_row * 2])))
    ).active

    assert narrow.page_setup.orientation == "portrait"
    assert wide.page_setup.orientation == "landscape"


def test_numbers_stay_text_and_formulas_stay_text():
    content = _report(
        [["0012", '=HYPERLINK("http://evil")', "110***1234", "+1"]], text_columns=(0,)
    )

    _header, rows, sheet = report_table(content)

    assert rows[0][0] == "0012" and sheet["A4"].number_format == "@"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_rows_past_the_sample_are_written_too():
    rows = ([str(n), "名", "x", "y"] for n in range(1200))

    _header, written, _sheet = report_table(_report(rows))

    assert len(written) == 1200 and written[-1][0] == "1199"


def test_download_names_are_what_a_person_would_call_the_file():
    assert download_name("未完成名单", "23-106", "理工学院", "20261205") == (
        "未完成名单-23-106-理工学院-20261205.xlsx"
    )
    assert download_name("学生名单", "../a b", "") == "学生名单-.._a_b.xlsx"
    assert "/" not in download_name("x/y\\z")
