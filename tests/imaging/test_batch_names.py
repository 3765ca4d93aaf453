"""The registrar's batch page (/photos/batches/<pk>/) lists files named by ID number next
to each student's name and 学号: the names are shown masked, the reason stays."""

import pytest

from accounts import idnumbers
from imaging.models import PhotoBatch, PhotoBatchEntry
from imaging.names import masked_file_name

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(world):
    batch = PhotoBatch.objects.create(
        institution=world.institution, kind="diploma", source="新华社江西分社", uploaded_by=None
    )
    number = world.bob_record.id_number
    PhotoBatchEntry.objects.create(
        batch=batch,
        position=1,
        name=f"2023/{number}.jpg",
        outcome="added",
        record=world.bob_record,
    )
    PhotoBatchEntry.objects.create(
        batch=batch,
        position=2,
        name=f"{number.lower()}.JPG",
        outcome="rejected",
        reason=f"同一学生在本批次中已有照片（2023/{number}.jpg），本文件未导入。",
        record=world.bob_record,
    )
    PhotoBatchEntry.objects.create(
        batch=batch,
        position=3,
        name="说明.txt",
        outcome="skipped",
        reason="文件名不是照片，已跳过。",
    )
    return batch


def test_the_batch_page_masks_id_number_file_names_and_keeps_the_reason(client_for, world, batch):
    number = world.bob_record.id_number

    page = client_for(world.registrar).get(f"/photos/batches/{batch.pk}/").content.decode()

    assert number not in page and number.lower() not in page
    masked = idnumbers.mask(number)
    assert f"2023/{masked}.jpg" in page
    assert f"{masked}.JPG" in page
    assert f"同一学生在本批次中已有照片（2023/{masked}.jpg），本文件未导入。" in page
    assert "说明.txt" in page and "文件名不是照片，已跳过。" in page
    assert world.bob_record.name in page and world.bob_record.student_number in page


def test_the_admin_batch_page_masks_them_too(client_for, world, batch):
    number = world.bob_record.id_number

    page = client_for(world.admin).get(f"/admin/imaging/photobatch/{batch.pk}/change/")

    assert page.status_code == 200
    assert number not in page.content.decode()
    assert idnumbers.mask(number) in page.content.decode()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("110101199001011234.jpg", "**************1234.jpg"),
        ("a\\11010119900101123x.png", "a\\**************123X.png"),
        ("110101900101123.jpg", "************123.jpg"),  # a 15-digit legacy number
        ("E12345678.jpg", "*******78.jpg"),  # a passport
        ("IMG_0001.jpg", "IMG_0001.jpg"),
        ("说明.txt", "说明.txt"),
    ],
)
def test_masked_file_name(name, shown):
    assert masked_file_name(name) == shown
