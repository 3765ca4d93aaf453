"""Issue 15: the terms and the personal-information rules are a page, linked from the
registration form's consent checkbox."""

from django.test import Client

from tests.accounts.helpers import page_text

TERMS = "/accounts/terms/"


def test_the_registration_consent_links_to_the_terms(db):
    page = page_text(Client().get("/accounts/register/"))

    assert f'href="{TERMS}"' in page
    assert "服务条款和个人信息处理规则" in page


def test_the_terms_page_says_what_why_who_how_long_and_the_rights(db):
    response = Client().get(TERMS)

    page = page_text(response)
    assert response.status_code == 200
    for heading in ("收集哪些个人信息", "为什么收集", "谁能看到", "保存多久", "您的权利"):
        assert heading in page
    assert "个人信息保护法" in page and "身份核验材料" in page


def test_a_signed_in_student_can_read_the_terms_too(world):
    client = Client()
    client.force_login(world.alice)

    assert client.get(TERMS).status_code == 200
