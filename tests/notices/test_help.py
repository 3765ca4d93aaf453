"""帮助中心: the seeds' common problems, searchable, each ending in the page that solves it."""

import pytest
from django.urls import reverse

from notices.help import ARTICLES


def test_every_problem_of_the_seeds_has_a_page(client):
    page = client.get("/notices/help/").content.decode()

    for title in (
        "证件号码已被注册",
        "手机号已使用",
        "看不到学籍信息",
        "没有照片",
        "与实际情况不符",
    ):
        assert title in page


@pytest.mark.parametrize("article", ARTICLES, ids=lambda a: a.slug)
def test_each_page_ends_in_the_portal_page_that_solves_it(client, article):
    page = client.get(f"/notices/help/{article.slug}/").content.decode()

    for action in article.actions:
        assert f'href="{reverse(action.url_name)}"' in page


def test_search_finds_by_words_in_the_text(client):
    page = client.get("/notices/help/", {"q": "户口本"}).content.decode()

    assert "学籍信息与实际情况不符怎么办？" in page
    assert "手机号已使用" not in page


def test_search_with_no_match_says_what_to_do(client):
    page = client.get("/notices/help/", {"q": "火星"}).content.decode()

    assert "没有找到相关问题" in page


def test_an_unknown_page_is_404(client):
    assert client.get("/notices/help/nope/").status_code == 404
