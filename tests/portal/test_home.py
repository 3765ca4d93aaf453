import pytest

from accounts.models import AccountState, IdentityRequest, RequestKind, Role
from notices.models import Notice, NoticeState
from tests import factories


@pytest.fixture
def published_notice(world):
    return Notice.objects.create(
        institution=world.institution,
        number="23-106",
        title="关于开展2023级新生学信网自查学籍信息工作的通知",
        issuing_office="教务处",
        issue_date="2026-10-23",
        body="请于规定时间内完成学籍信息自查。",
        state=NoticeState.PUBLISHED,
        created_by=world.registrar,
    )


def test_anonymous_home_is_chinese_and_lists_published_notices(client, published_notice):
    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "学籍信息自查与图像校对" in page
    assert "关于开展2023级新生学信网自查学籍信息工作的通知" in page


def test_anonymous_home_hides_draft_notices(client, world):
    Notice.objects.create(
        institution=world.institution,
        number="D-1",
        title="尚未发布的通知",
        issuing_office="教务处",
        issue_date="2026-10-23",
        body="草稿",
        created_by=world.registrar,
    )

    assert "尚未发布的通知" not in client.get("/").content.decode()


def test_student_home_lists_her_todo(client_for, world):
    page = client_for(world.alice).get("/").content.decode()

    assert "请查看并核对本人学籍信息" in page
    assert 'href="/records/mine/"' in page


def test_monitor_sees_her_class(client_for, world):
    page = client_for(world.alice).get("/").content.decode()

    assert world.class_a.name in page
    assert world.class_b.name not in page


def test_a_monitor_sees_a_class_she_is_not_a_student_of(client_for, world):
    world.class_b.monitor = world.alice
    world.class_b.save()

    page = client_for(world.alice).get("/").content.decode()

    assert world.class_a.name in page and world.class_b.name in page


def test_counselor_home_shows_progress_of_her_classes_only(client_for, world):
    page = client_for(world.counselor).get("/").content.decode()

    assert world.class_a.name in page
    assert world.class_b.name not in page


def test_registrar_home_shows_every_college(client_for, world):
    page = client_for(world.registrar).get("/").content.decode()

    assert "理工学院" in page
    assert "经管学院" in page


def test_reviewer_home_counts_pending_requests(client_for, world):
    pending = factories.user(Role.STUDENT, state=AccountState.PENDING)
    IdentityRequest.objects.create(user=pending, kind=RequestKind.DUPLICATE_ID, token="t1")

    page = client_for(world.reviewer).get("/").content.decode()

    assert "待审核申请：1 件" in page


def test_pending_account_sees_only_the_identity_page(client_for, world):
    pending = factories.user(Role.STUDENT, state=AccountState.PENDING)
    client = client_for(pending)

    response = client.get("/", follow=True)

    assert response.redirect_chain[-1][0] == "/accounts/identity/"
    assert "当前注册的账号因证件号码重复" in response.content.decode()
    # Issue 15: 学籍信息 sends it to 身份核验 too, rather than answering 无权访问.
    assert client.get("/records/mine/")["Location"] == "/accounts/identity/"


@pytest.mark.parametrize("classes", [1, 12])
def test_staff_home_costs_the_same_queries_for_1_and_12_classes(
    client_for, world, classes, django_assert_max_num_queries
):
    for _ in range(classes):
        klass = factories.school_class(world.class_a.college)
        klass.counselors.add(world.counselor)
        factories.student(klass)
    client = client_for(world.counselor)

    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("notices", [0, 8])
def test_student_home_costs_the_same_queries_for_any_number_of_notices(
    client_for, world, notices, django_assert_max_num_queries
):
    for n in range(notices):
        Notice.objects.create(
            institution=world.institution,
            number=f"N{n}",
            title=f"通知{n}",
            issuing_office="教务处",
            issue_date="2026-10-23",
            body="正文",
            state=NoticeState.PUBLISHED,
            created_by=world.registrar,
        )
    client = client_for(world.alice)

    with django_assert_max_num_queries(12):
        assert client.get("/").status_code == 200
    # Then: session, user, the binding check (issue 15: records bind on home too; one
    # query), her records with their state and last photo delivery (and whether she
    # monitors a class: alice does), her notices with their audience rules (one query),
    # the collection units for her missing photo (issue 15: the to-do names the step),
    # her classes, her classes' 反馈表 with their notices (one query).
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
    # A student who monitors no class: no query for the classes.
    carol = client_for(world.carol)
    carol.get("/")
    with django_assert_max_num_queries(6):
        assert carol.get("/").status_code == 200


def test_404_page_is_chinese(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_403_page_is_chinese(client_for, world):
    response = client_for(world.alice).get("/records/classes/")

    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_every_page_carries_a_content_security_policy(client, db):
    response = client.get("/")

    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_graduated_records_photo_is_not_a_todo(client_for, world):
    from django.core.files.base import ContentFile

    from imaging.models import Photo, PhotoKind
    from records.models import RecordStatus

    world.alice_record.status = RecordStatus.GRADUATED
    world.alice_record.save()
    photo = Photo(record=world.alice_record, kind=PhotoKind.DIPLOMA, token=factories.token())
    photo.width, photo.height, photo.sha256 = 1, 1, "0" * 64
    photo.image.save("p.jpg", ContentFile(b"x"), save=False)
    photo.thumbnail.save("t.jpg", ContentFile(b"x"), save=False)
    photo.save()

    page = client_for(world.alice).get("/").content.decode()

    assert "您有照片尚未校对" not in page


def test_favicon_ico_leads_to_the_portal_icon(client):
    """Browsers ask for /favicon.ico by themselves (a photo opened on its own): no 404."""
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
