"""One class's feedback sheet as a print-ready .xlsx."""

from notices.models import FeedbackRemark
from notices.services.sheets import sheet_countersign, sheet_sign
from tests import factories
from tests.notices.conftest import done_everything, report
from tests.notices.xlsx_helpers import data_rows, formulas, open_book


def _download(client, sheet):
    response = client.get(f"/notices/sheets/{sheet.pk}/export.xlsx")
    assert response.status_code == 200
    return response


def test_the_file_is_a_download_with_a_generated_name(client_for, world, sheet):
    response = _download(client_for(world.counselor), sheet)

    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_title_class_line_header_and_rows(client_for, world, sheet):
    done_everything(world.alice_record)
    report(world.bob_record)

    ws = open_book(_download(client_for(world.counselor), sheet).content).active

    assert ws["A1"].value == "学籍信息自查及图像信息校对反馈表（2023 级）"
    assert ws["A2"].value == f"班级名称：2023级{world.class_a.name}"
    assert [c.value for c in ws[3]][:3] == ["序号", "学号", "姓名"]
    assert ws["E3"].value == "本人签名"
    rows = data_rows(ws)
    by_name = {row[2]: row for row in rows}
    assert by_name["李晓梅"][3] == "无误"
    assert by_name["王强"][3].startswith("民族有误")
    assert all(row[4] is None for row in rows)  # 本人签名 stays blank
    assert [row[0] for row in rows] == [1, 2]
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)


def test_a_class_named_with_its_cohort_is_named_once(client_for, world, sheet):
    world.class_a.name = "2023级软件技术1班"
    world.class_a.save()

    ws = open_book(_download(client_for(world.counselor), sheet).content).active
    page = client_for(world.counselor).get(f"/notices/sheets/{sheet.pk}/").content.decode()

    assert ws["A2"].value == "班级名称：2023级软件技术1班"
    assert "2023级软件技术1班" in page and "2023级 2023级" not in page


def test_print_settings_a4_portrait_repeated_header_fit_to_width(client_for, world, sheet):
    ws = open_book(_download(client_for(world.counselor), sheet).content).active

    assert str(ws.page_setup.paperSize) == "9"
    assert ws.page_setup.orientation == "portrait"
    assert ws.print_title_rows == "$1:$3"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws.column_dimensions["E"].width >= 15  # wide enough to sign
    assert ws["A4"].border.left.style == "thin"
    assert ws["E4"].border.bottom.style == "thin"


def _footer(ws) -> tuple[list, list]:
    """(the line to sign and stamp by hand, the electronic signatures under it)."""
    return [c.value for c in ws[ws.max_row - 1]], [c.value for c in ws[ws.max_row]]


def test_the_footer_leaves_room_to_sign_and_stamp_by_hand(client_for, world, sheet):
    sheet_sign(sheet=sheet, by=world.counselor, acknowledged=True)
    sheet_countersign(sheet=sheet, by=world.college_staff, opinion="同意")

    ws = open_book(_download(client_for(world.counselor), sheet).content).active

    signing, signed = _footer(ws)
    # Seed 004's line stays blank beside each label, whatever the portal holds.
    assert signing == ["辅导员签名：", None, None, "学院领导：", "学院（公章）"]
    assert ws.row_dimensions[ws.max_row - 1].height >= 40  # room for a hand and a seal
    assert signed[0].startswith(f"电子签名：{world.counselor.get_full_name()} ")
    assert signed[3].startswith(f"电子签名：{world.college_staff.get_full_name()} ")
    assert signed[3].endswith("意见：同意")
    assert ws.cell(ws.max_row, 1).font.sz < ws.cell(ws.max_row - 1, 1).font.sz  # small
    assert ws.row_dimensions[ws.max_row - 2].height < 10  # a gap under the table


def test_an_unsigned_sheet_leaves_the_signature_lines_blank(client_for, world, sheet):
    ws = open_book(_download(client_for(world.counselor), sheet).content).active

    signing, signed = _footer(ws)
    assert signing[0] == "辅导员签名：" and signing[4] == "学院（公章）"
    assert signed[0] is None and signed[3] is None


def test_cells_that_look_like_formulas_are_written_as_text(client_for, world, sheet):
    factories.record(world.class_a, name='=HYPERLINK("http://evil.example","点我")')
    FeedbackRemark.objects.create(
        sheet=sheet, record=world.bob_record, text="@SUM(1+1)", author=world.counselor
    )
    factories.record(world.class_a, name="-2+3")

    book = open_book(_download(client_for(world.counselor), sheet).content)

    assert formulas(book) == []
    names = [row[2] for row in data_rows(book.active)]
    assert '=HYPERLINK("http://evil.example","点我")' in names
    assert "-2+3" in names


def test_the_monitor_may_download_the_sheet_to_print(client_for, world, sheet):
    assert client_for(world.alice).get(f"/notices/sheets/{sheet.pk}/export.xlsx").status_code == 200


def test_a_classmate_may_not(client_for, world, sheet):
    assert client_for(world.bob).get(f"/notices/sheets/{sheet.pk}/export.xlsx").status_code == 404
