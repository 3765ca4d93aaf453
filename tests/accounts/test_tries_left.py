"""Issue 15: a wrong guess at binding facts says that the facts did not match and how
many tries are left; when none is left, why and until when (not "操作过于频繁")."""

from tests.accounts.helpers import csrf_client, csrf_post, page_text

BIND = "/records/mine/bind/"


def bind_record(client, world, number: str):
    facts = {"bind_record": "1", "school": world.institution.name, "number": number}
    return page_text(csrf_post(client, BIND, facts, page=BIND))


def test_a_wrong_record_binding_says_the_tries_left(world):
    client = csrf_client(world.alice)

    page = bind_record(client, world, "2099000001")

    assert "未找到与您的姓名、证件号码一致的该学籍" in page
    assert "今天还可尝试 9 次" in page


def test_binding_after_ten_wrong_tries_says_why_and_until_when(world):
    client = csrf_client(world.alice)
    for n in range(10):
        bind_record(client, world, f"20990000{n:02d}")

    page = bind_record(client, world, world.alice_record.student_number)

    assert "由于 24 小时内已有 10 次核对不符，暂时不能再尝试，请于" in page
    assert "操作过于频繁" not in page


def test_a_wrong_degree_binding_says_the_tries_left(world):
    client = csrf_client(world.alice)
    facts = {
        "bind_degree": "1",
        "degree-certificate_number": "00000001",
        "degree-graduation_year": "2020",
        "degree-school": world.institution.name,
    }

    page = page_text(csrf_post(client, BIND, facts, page=BIND))

    assert "没有找到这个证书编号" in page and "今天还可尝试 9 次" in page
