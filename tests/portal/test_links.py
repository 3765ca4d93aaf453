"""portal.links.object_url: the same URL as reverse(), for every one-number URL it serves."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix

from portal.links import object_url, view_url

ROW_LINKS = ["records:record_detail", "records:class_detail", "records:report_detail"]


@pytest.mark.parametrize("viewname", ROW_LINKS)
@pytest.mark.parametrize("pk", [1, 7, 42, 1200, 10**12])
def test_it_is_reverse(viewname, pk):
    assert object_url(viewname, pk) == reverse(viewname, args=[pk])


def test_it_follows_the_script_prefix():
    """Served under a sub-path (SCRIPT_NAME), links keep it, as reverse() does."""
    set_script_prefix("/xueji/")
    try:
        assert object_url("records:record_detail", 5) == reverse("records:record_detail", args=[5])
        assert object_url("records:record_detail", 5).startswith("/xueji/")
    finally:
        clear_script_prefix()
    assert object_url("records:record_detail", 5) == "/records/5/"


def test_a_url_without_one_number_is_refused():
    with pytest.raises(NoReverseMatch):
        object_url("home", 1)


@override_settings(ROOT_URLCONF="tests.portal.hex_urls")
def test_a_url_that_does_not_show_the_number_as_is_is_refused():
    """Filling in the decimal number would make a wrong link: refuse instead."""
    with pytest.raises(ValueError):
        object_url("item", 255)


def test_another_urlconf_has_its_own_patterns():
    assert object_url("records:record_detail", 3) == "/records/3/"
    with override_settings(ROOT_URLCONF="tests.portal.prefixed_urls"):
        assert object_url("records:record_detail", 3) == "/portal/records/3/"
    assert object_url("records:record_detail", 3) == "/records/3/"


def test_a_string_is_not_a_number():
    with pytest.raises(ValueError):
        object_url("records:record_detail", "1/../../admin")


@pytest.mark.parametrize("viewname", ["home", "records:my_records", "notices:notice_list"])
def test_a_plain_link_is_reverse_under_any_prefix(viewname):
    assert view_url(viewname) == reverse(viewname)
    set_script_prefix("/xueji/")
    try:
        assert view_url(viewname) == reverse(viewname)
        assert view_url(viewname).startswith("/xueji/")
    finally:
        clear_script_prefix()
