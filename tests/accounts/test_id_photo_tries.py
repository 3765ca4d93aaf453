"""Issue 15 §5: the five hand-held ID photo uploads (seed 000) are not wasted. A double
tap, a new upload while one waits for the reviewers, a tiny or blank photo are refused
without spending a try; when the tries are used up the page says what to do next."""

import io
import re

from PIL import Image

from accounts.models import IdentityRequest, RequestState
from accounts.services import identity_requests
from tests.accounts.helpers import (
    csrf_client,
    csrf_post,
    image_bytes,
    page_text,
    photo_bytes,
    photo_request,
    upload,
)
from tests.accounts.test_identity_routes import older_photo_request

PAGE = "/accounts/identity/"
FORM = 'action="/accounts/identity/photos/"'


def form_key(client) -> str:
    """The one-time key of the upload form as the page renders it."""
    found = re.search(r'name="submission" value="([0-9a-f]{32})"', page_text(client.get(PAGE)))
    assert found, "the upload form carries no key"
    return found.group(1)


def send(client, key: str = "", front: bytes | None = None, back: bytes | None = None):
    data = {
        "front": upload(front or photo_bytes(), "front.jpg"),
        "back": upload(back or photo_bytes(flip=True), "back.jpg"),
    }
    if key:
        data["submission"] = key
    return csrf_post(client, "/accounts/identity/photos/", data, page=PAGE)


def tries_left(user) -> tuple[int, int]:
    return identity_requests.uploads_left(user)


def test_a_double_tap_files_one_request_and_spends_one_try(twin):
    client = csrf_client(twin)
    key = form_key(client)

    first = send(client, key)
    second = send(client, key)

    assert first["Location"] == second["Location"] == PAGE
    assert IdentityRequest.objects.filter(user=twin).count() == 1
    assert tries_left(twin) == (2, 4)
    page = page_text(client.get(PAGE))
    assert "照片已经上传，请勿重复提交" in page
    assert "今天还可上传 2 次，累计还可上传 4 次" in page


def test_a_new_upload_while_one_is_pending_is_refused_without_counting(twin):
    client = csrf_client(twin)
    send(client, form_key(client))
    assert tries_left(twin) == (2, 4)

    response = send(client, "b" * 32)

    assert "您上传的照片正在等待客服审核，审核结果出来前不能再次上传" in page_text(response)
    assert "此次提交未计入上传次数" in page_text(response)
    assert IdentityRequest.objects.filter(user=twin).count() == 1
    assert tries_left(twin) == (2, 4)


def test_while_a_request_is_pending_the_page_says_so_instead_of_the_form(twin):
    photo_request(twin)

    page = page_text(csrf_client(twin).get(PAGE))

    assert "正在等待客服审核（三个工作日内）" in page
    assert FORM not in page


def test_after_a_rejection_a_new_upload_is_taken(twin):
    photo_request(twin, state=RequestState.REJECTED)
    client = csrf_client(twin)

    assert send(client, form_key(client))["Location"] == PAGE
    assert IdentityRequest.objects.filter(user=twin, state=RequestState.PENDING).count() == 1


def test_a_tiny_photo_is_refused_before_it_counts(twin):
    tiny = image_bytes("JPEG", size=(8, 8))

    response = send(csrf_client(twin), front=tiny)

    assert "手持身份证人像面照片：图片尺寸过小（8×8）" in page_text(response)
    assert "不小于 300 像素" in page_text(response)
    assert not IdentityRequest.objects.exists()
    assert tries_left(twin) == (3, 5)


def test_a_blank_grey_photo_is_refused_before_it_counts(twin):
    grey = image_bytes("PNG", size=(800, 600), color=(128, 128, 128))

    response = send(csrf_client(twin), back=grey)

    assert "手持身份证国徽面照片：图片几乎是一片空白" in page_text(response)
    assert not IdentityRequest.objects.exists()
    assert tries_left(twin) == (3, 5)


def test_a_photo_with_a_little_noise_on_grey_still_counts_as_blank(twin):
    out = io.BytesIO()
    Image.effect_noise((600, 400), 3).convert("RGB").save(out, "JPEG")  # grey, faint grain

    response = send(csrf_client(twin), front=out.getvalue())

    assert "图片几乎是一片空白" in page_text(response)
    assert not IdentityRequest.objects.exists()


def test_when_the_five_tries_are_used_the_page_says_what_to_do_next(twin):
    for days in (1, 2, 3, 4, 5):
        older_photo_request(twin, days, state=RequestState.REJECTED)

    page = page_text(csrf_client(twin).get(PAGE))

    assert FORM not in page
    assert "累计 5 次上传机会已用完，不能再通过上传照片验证" in page
    assert 'href="#route-facts"' in page and 'href="#route-classmate"' in page
    assert "途径一：提供学籍或学历信息" in page and "途径二：大学同班同学协助" in page
    assert "学校学籍管理部门" in page


def test_when_todays_tries_are_used_the_page_says_come_back_tomorrow(twin):
    for _ in range(3):
        photo_request(twin, state=RequestState.REJECTED)

    page = page_text(csrf_client(twin).get(PAGE))

    assert FORM not in page
    assert "今天的 3 次上传机会已用完，请明天再上传" in page


def test_the_upload_form_brings_its_browser_check(twin):
    page = page_text(csrf_client(twin).get(PAGE))

    assert "data-photo-check" in page
    assert 'data-max-bytes="307200"' in page and 'data-min-side="300"' in page
    assert "js/photo-check.js" in page


def test_the_request_log_scrolls_inside_a_focusable_region(twin):
    photo_request(twin, state=RequestState.REJECTED)

    page = page_text(csrf_client(twin).get(PAGE))

    assert '<div class="table-scroll" tabindex="0" role="region" aria-label="客服审核记录">' in page
