"""Hand-held ID photos in a real browser on a phone (issue 15 §5): the page checks each
photo before sending, shrinks an over-size one to 300 KB with a canvas, and disables the
button while the form is sending; the photo sent and stored is the shrunk one."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from accounts.models import AccountState, IdentityRequest
from tests import factories
from tests.e2e.conftest import MOBILE, assert_fits


@pytest.fixture
def viewport() -> dict[str, int]:
    return dict(MOBILE)


@pytest.fixture
def pending(transactional_db):
    return factories.user(
        username="alice_new", id_number=factories.id_number(), state=AccountState.PENDING
    )


def jpeg(size: tuple[int, int], *, grain: float = 0.0, quality: int = 90) -> bytes:
    """A grey gradient (readable, not blank), with `grain` of noise to make it heavy."""
    image = Image.linear_gradient("L").resize(size)
    if grain:
        image = Image.blend(image, Image.effect_noise(size, 80), grain)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def file(name: str, content: bytes) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": content}


def test_the_page_checks_shrinks_and_sends_once(page, pending, login, screenshot):
    login(page, "alice_new", factories.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("身份核验")
    front, back = page.locator("#id_front"), page.locator("#id_back")

    front.set_input_files(files=[file("tiny.jpg", jpeg((8, 8)))])
    expect(page.locator("#id_front_check")).to_contain_text("图片尺寸过小（8×8）")

    big = jpeg((1600, 1200), grain=0.5, quality=98)
    assert len(big) > 300 * 1024
    front.set_input_files(files=[file("big.jpg", big)])
    expect(page.locator("#id_front_check")).to_contain_text("超过 300 KB")
    page.get_by_role("button", name="压缩到 300 KB 以内").click()
    expect(page.locator("#id_front_check")).to_contain_text("已压缩为")
    back.set_input_files(files=[file("back.jpg", jpeg((400, 300)))])
    expect(page.locator("#id_back_check")).to_contain_text("照片检查通过")
    assert_fits(page)
    screenshot(page, "id-photos-checked-375")

    # While the form is sending, the button is disabled: a second tap sends nothing. (The
    # sending is held here by a listener after the page's own, so the state can be seen.)
    form = page.locator("form[data-photo-check]")
    form.evaluate("f => f.addEventListener('submit', e => e.preventDefault())")
    button = form.locator("button[type=submit]")
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_text("正在上传，请勿重复点击…")
    assert not IdentityRequest.objects.exists()


def test_the_shrunk_photo_is_what_the_server_stores(page, pending, login):
    login(page, "alice_new", factories.PASSWORD)
    page.locator("#id_front").set_input_files(
        files=[file("big.jpg", jpeg((1600, 1200), grain=0.5, quality=98))]
    )
    page.get_by_role("button", name="压缩到 300 KB 以内").click()
    expect(page.locator("#id_front_check")).to_contain_text("已压缩为")
    page.locator("#id_back").set_input_files(files=[file("back.jpg", jpeg((400, 300)))])

    with page.expect_navigation():
        page.locator("form[data-photo-check] button[type=submit]").click()

    expect(page.locator("main")).to_contain_text("上传成功，请等待客服审核")
    expect(page.locator("main")).to_contain_text("正在等待客服审核（三个工作日内）")
    req = IdentityRequest.objects.get(user=pending)
    with req.front_image.open() as stored:  # the shrunk photo, not the 1600×1200 one
        width, height = Image.open(stored).size
    assert min(width, height) >= 300 and max(width, height) < 1600
    region = page.get_by_role("region", name="客服审核记录")
    region.focus()
    expect(region).to_be_focused()
    assert_fits(page)
