"""The students who have not done the task, as .xlsx with masked ID numbers."""

from urllib.parse import unquote

from tests import factories
from tests.notices.conftest import done_everything
from tests.notices.xlsx_helpers import formulas
from tests.report_helpers import report_table


def _rows(client, notice, query=""):
    response = client.get(f"/notices/{notice.pk}/pending.xlsx{query}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    header, rows, sheet = report_table(response.content)
    return header, rows, sheet.parent


def test_lists_those_who_have_not_with_masked_id_numbers(client_for, world, notice):
    done_everything(world.alice_record)

    header, rows, book = _rows(client_for(world.registrar), notice)

    assert header[:5] == ("学院", "班级", "学号", "姓名", "证件号码")
    names = [row[3] for row in rows]
    assert "李晓梅" not in names and {"王强", "陈静", "赵磊"} <= set(names)
    bob = next(row for row in rows if row[3] == "王强")
    assert bob[4] == world.bob_record.masked_id_number
    assert world.bob_record.id_number not in str(rows)
    assert formulas(book) == []


def test_counselor_gets_her_class_only(client_for, world, notice):
    _header, rows, _book = _rows(client_for(world.counselor), notice)

    assert {row[3] for row in rows} == {"李晓梅", "王强"}


def test_narrowed_to_one_class(client_for, world, notice):
    _header, rows, _book = _rows(
        client_for(world.registrar), notice, f"?school_class={world.class_b.pk}"
    )

    assert [row[3] for row in rows] == ["陈静"]


def test_a_class_outside_the_scope_is_404(client_for, world, notice):
    client = client_for(world.counselor)

    response = client.get(f"/notices/{notice.pk}/pending.xlsx?school_class={world.class_b.pk}")

    assert response.status_code == 404


def test_a_college_outside_the_scope_is_404(client_for, world, notice):
    client = client_for(world.college_staff)
    other = world.class_other_college.college

    assert client.get(f"/notices/{notice.pk}/pending.xlsx?college={other.pk}").status_code == 404


def test_account_state_says_who_never_registered(client_for, world, notice):
    factories.record(world.class_a, name="未注册同学")

    _header, rows, _book = _rows(client_for(world.counselor), notice)

    never = next(row for row in rows if row[3] == "未注册同学")
    assert never[5] == "未注册"


def test_the_notice_page_still_opens_after_someone_exported_its_list(client_for, world, notice):
    """The export's audit event names its file with one value; the notice's history
    unpacked every entry as [before, after] and answered 500 from then on."""
    _rows(client_for(world.counselor), notice)

    page = client_for(world.registrar).get(f"/notices/manage/{notice.pk}/")

    assert page.status_code == 200


def test_the_list_says_what_it_holds_and_is_named_as_a_person_would(client_for, world, notice):
    client = client_for(world.registrar)

    response = client.get(f"/notices/{notice.pk}/pending.xlsx?school_class={world.class_b.pk}")

    _header, _rows, sheet = report_table(response.content)
    assert sheet["A1"].value == "未完成名单"
    assert notice.number in sheet["A2"].value and world.class_b.full_name in sheet["A2"].value
    disposition = unquote(response["Content-Disposition"])
    assert f"未完成名单-{notice.number}-{world.class_b.full_name}-" in disposition
    assert "未完成名单-未完成" not in disposition


def test_staff_read_the_phone_and_e_mail_of_a_bound_account_and_nothing_else(
    client_for, world, notice
):
    world.bob.phone, world.bob.email = "13700001111", "wangqiang@example.com"
    world.bob.save()
    factories.record(world.class_a, name="未注册同学")

    header, rows, _book = _rows(client_for(world.counselor), notice)

    assert header[-2:] == ("手机号", "邮箱")
    by_name = {row[3]: row for row in rows}
    assert by_name["王强"][-2:] == ("13700001111", "wangqiang@example.com")
    assert by_name["未注册同学"][-2:] == (None, None)


def test_the_monitor_never_gets_the_list(client_for, world, notice):
    world.bob.phone = "13700001111"
    world.bob.save()
    client = client_for(world.alice)  # class A's monitor, a student

    response = client.get(f"/notices/{notice.pk}/pending.xlsx")

    assert response.status_code == 403
    assert b"13700001111" not in response.content
