"""The registrar's batch page (/photos/batches/<pk>/) lists files named by ID number next
to each student's name and 学号: the names are shown masked, the reason stays."""

import importlib
import io

import pytest
from django.apps import apps as django_apps

from imaging.batches import photo_batch_import
from imaging.models import PhotoBatch, PhotoBatchEntry
from imaging.names import mask_numbers_in, masked_file_name
from portal.lib import idnumbers
from tests.imaging.conftest import jpeg, make_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(world, private_media):
    """Bob's photo named by his ID number, a second one (rejected), and a text file."""
    number = world.bob_record.id_number
    archive = io.BytesIO(make_zip({f"2023/{number}.jpg": jpeg(), f"{number.lower()}.JPG": jpeg()}))
    batch = photo_batch_import(
        archive=archive, kind="diploma", institution=world.institution, source="新华社江西分社"
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


ID18 = "110101199001011234"
MASKED18 = "**************1234"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        (f"张三_{ID18}.jpg", f"张三_{MASKED18}.jpg"),
        (f"{ID18}(1).jpg", f"{MASKED18}(1).jpg"),
        (f"{ID18}.jpg.jpg", f"{MASKED18}.jpg.jpg"),
        (f"{ID18}-new.jpeg", f"{MASKED18}-new.jpeg"),
        (f"a/b/{ID18}.JPG", f"a/b/{MASKED18}.JPG"),
        ("照片_11010119900101123x_李四.png", "照片_**************123X_李四.png"),
        ("新生110101900101123照片.jpg", "新生************123照片.jpg"),  # 15 digits
        (f"{ID18}_{ID18}.jpg", f"{MASKED18}_{MASKED18}.jpg"),
        (f"{ID18}张三.jpg", f"{MASKED18}张三.jpg"),
        # a number typed with an extra digit (19, 16 digits) is still a number
        (f"{ID18}5.jpg", "*****************45.jpg"),
        ("张三_1101011990010112.jpg", "张三_**************12.jpg"),
        # a 学号 (10 digits) and shorter runs stay readable
        ("张三_2023010101.jpg", "张三_2023010101.jpg"),
        ("2023010101_张三.jpg", "2023010101_张三.jpg"),
        ("2023级/张三_20230101012345.jpg", "2023级/张三_20230101012345.jpg"),
    ],
)
def test_masked_file_name_masks_every_id_number_anywhere_in_the_name(name, shown):
    assert masked_file_name(name) == shown


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        # an ID number typed in groups: at most its last 4 digits stay
        ("张三_110101 20050101 1234.jpg", "张三_****** ******** 1234.jpg"),
        ("张三_110101-20050101-1234.jpg", "张三_******-********-1234.jpg"),
        ("张三_11010120050101_1234.jpg", "张三_**************_1234.jpg"),
        ("张三_110101.20050101.123x.jpg", "张三_******.********.123X.jpg"),
        ("110101_900101_123.jpg", "******_******_123.jpg"),  # 15 digits
        ("a/110101 2005 0101 1234/照片.jpg", "a/****** **** **** 1234/照片.jpg"),
        # passport and permit numbers anywhere in the name
        ("张三_E12345678.jpg", "张三_*******78.jpg"),
        ("G12345678_张三.jpg", "*******78_张三.jpg"),
        ("李四_H1234567890(1).png", "李四_*********90(1).png"),
        ("王五 ab1234567.jpg", "王五 *******67.jpg"),
        # a 学号, a short date or a camera name stays readable
        ("张三_2023010101.jpg", "张三_2023010101.jpg"),
        ("张三_2023 0101 01.jpg", "张三_2023 0101 01.jpg"),
        ("IMG_20230101_1234.jpg", "IMG_20230101_1234.jpg"),
        ("张三.jpg", "张三.jpg"),
    ],
)
def test_masked_file_name_masks_numbers_typed_with_separators_or_letters(name, shown):
    assert masked_file_name(name) == shown


def test_mask_numbers_in_masks_grouped_numbers_in_a_reason():
    reason = "同一学生在本批次中已有照片（张三_110101-20050101-1234.jpg），本文件未导入。"

    assert mask_numbers_in(reason) == (
        "同一学生在本批次中已有照片（张三_******-********-1234.jpg），本文件未导入。"
    )


def test_the_migration_masks_the_names_and_reasons_stored_before(world):
    mask_entries = importlib.import_module("imaging.migrations.0004_mask_batch_entry_names")
    number = world.bob_record.id_number
    batch = PhotoBatch.objects.create(institution=world.institution, kind="diploma", source="x")
    entry = PhotoBatchEntry.objects.create(
        batch=batch,
        position=1,
        name=f"2023/{number}.jpg",
        outcome="rejected",
        reason=f"同一学生在本批次中已有照片（{number}.jpg），本文件未导入。",
    )

    mask_entries.mask_entries(django_apps, None)

    entry.refresh_from_db()
    masked = idnumbers.mask(number)
    assert entry.name == f"2023/{masked}.jpg"
    assert entry.reason == f"同一学生在本批次中已有照片（{masked}.jpg），本文件未导入。"
