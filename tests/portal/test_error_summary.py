"""A refused form's error summary (issue 15 §6, components/_form_errors.html): on top of the
form, "提交未成功，请修改以下 N 处：" and one item per place to fix, each linking to a control
that exists once on the page and says it is invalid; the errors stay beside the fields."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from tests.clients import csrf_client, csrf_post
from tests.notices.notice_forms import notice_data

SUMMARY_TITLE = re.compile(r"提交未成功，请修改以下 (\d+) 处：")


@dataclass
class Page(HTMLParser):
    """What the tests read off a page: every element by id, and the summary's title, items
    and links."""

    ids: Counter = field(default_factory=Counter)
    by_id: dict[str, dict[str, str]] = field(default_factory=dict)
    summaries: int = 0
    title: str = ""
    items: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    _depth: int = 0  # open <div>s inside the summary
    _where: str = ""  # "title", "item" or "link" while reading their text

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if "id" in attrs:
            self.ids[attrs["id"]] += 1
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}
        if tag == "div" and "data-error-summary" in attrs:
            self.summaries += 1
            self._depth = 1
        elif self._depth and tag == "div":
            self._depth += 1
        elif self._depth and tag == "h2":
            self._where = "title"
        elif self._depth and tag == "li":
            self.items.append("")
            self._where = "item"
        elif self._depth and tag == "a":
            self.links.append((attrs.get("href", ""), ""))
            self._where = "link"

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1
        if tag in ("h2", "li"):
            self._where = ""
        elif tag == "a" and self._where == "link":
            self._where = "item"

    def handle_data(self, data):
        if self._where == "title":
            self.title += data
        if self._where in ("item", "link"):
            self.items[-1] += data
        if self._where == "link":
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)


def read(response) -> Page:
    assert response.status_code == 200, response.status_code
    page = Page()
    page.feed(response.content.decode())
    return page


def assert_summary_links_to_fields(page: Page) -> None:
    """N in the title is the number of items; each link reaches one invalid control whose
    error is said beside it too."""
    assert page.summaries == 1
    match = SUMMARY_TITLE.fullmatch(page.title.strip())
    assert match, page.title
    assert int(match.group(1)) == len(page.items) >= 1
    for href, _text in page.links:
        assert href.startswith("#"), href
        target = href[1:]
        assert page.ids[target] == 1, f"{href}: {page.ids[target]} elements with this id"
        control = page.by_id[target]
        assert control["tag"] in ("input", "select", "textarea"), control
        assert control.get("aria-invalid") == "true", control
    duplicates = [name for name, count in page.ids.items() if count > 1]
    assert not duplicates, duplicates


def test_registration_sent_empty_lists_every_required_field(db):
    client = csrf_client()

    page = read(csrf_post(client, "/accounts/register/", {"action": "register"}))

    assert_summary_links_to_fields(page)
    hrefs = {href for href, _text in page.links}
    assert {"#id_real_name", "#id_id_number", "#id_password1", "#id_accept_terms"} <= hrefs
    # Each field's own error stays beside it, named by the control (aria-describedby).
    assert "id_real_name_error" in page.by_id["id_real_name"]["aria-describedby"]
    assert page.ids["id_real_name_error"] == 1


def test_the_summary_counts_each_field_once_with_all_its_messages(db):
    client = csrf_client()
    data = {"action": "register", "password1": "12345678", "password2": "12345678"}

    page = read(csrf_post(client, "/accounts/register/", data))

    assert_summary_links_to_fields(page)
    password_items = [item for item in page.items if item.startswith("密码")]
    # Too common and all digits: two messages, one place to fix, one error element.
    assert len(password_items) == 1
    assert "太常见" in password_items[0] and "只包含数字" in password_items[0]


def test_the_discrepancy_form_links_a_ticked_field_without_a_value(client_for, world):
    client = client_for(world.alice)

    response = client.post(
        f"/records/{world.alice_record.pk}/report/",
        {"wrong_ethnicity": "on", "wrong_name": "on", "value_name": ""},
    )
    page = read(response)

    assert_summary_links_to_fields(page)
    assert {href for href, _text in page.links} >= {"#id_value_ethnicity", "#id_value_name"}
    assert "民族的正确信息：请填写正确的信息" in page.items
    # The ticked rows come back ticked (report.js keeps them open).
    assert "checked" in page.by_id["id_wrong_ethnicity"]


def test_the_notice_form_names_the_formset_row_at_fault(client_for, world):
    client = client_for(world.registrar)
    data = notice_data(title="", **{"contacts-1-phone": "0879-1", "audience-0-cohort": "1800"})

    page = read(client.post("/notices/manage/new/", data))

    assert_summary_links_to_fields(page)
    hrefs = {href for href, _text in page.links}
    assert {"#id_title", "#id_audience-0-cohort", "#id_contacts-1-office"} <= hrefs
    assert any(item.startswith("部门或联系人（第 2 行）") for item in page.items), page.items


@pytest.mark.parametrize(
    "persona, url, data",
    [
        ("anonymous", "/accounts/password-reset/", {"action": "reset"}),
        ("anonymous", "/accounts/find-username/", {"action": "find"}),
        ("alice", "/accounts/me/real-name/", {}),
        ("alice", "/accounts/me/password/", {}),
        ("alice", "/accounts/me/phone-request/", {}),
    ],
)
def test_other_long_forms_sent_empty_link_each_error(world, persona, url, data):
    client = csrf_client(world.persona(persona))

    page = read(csrf_post(client, url, data))

    assert_summary_links_to_fields(page)


def test_an_error_of_the_whole_form_is_listed_without_a_link(world):
    client = csrf_client()

    page = read(
        csrf_post(client, "/accounts/login/", {"username": "alice", "password": "wrong-one"})
    )

    assert page.summaries == 1
    assert page.title.strip() == "提交未成功，请修改以下 1 处："
    assert page.links == [] and "账号或密码不正确" in page.items[0]


def test_a_form_not_sent_has_no_summary_and_no_script(client_for, world):
    response = client_for(world.alice).get(f"/records/{world.alice_record.pk}/report/")

    page = read(response)
    assert page.summaries == 0
    assert "js/forms.js" not in response.content.decode()
