import pytest

from portal.lib.audit import diff, log_action, snapshot
from portal.lib.models import AppendOnlyError, AuditEvent


def test_staff_opening_a_record_is_audited(client_for, world):
    client_for(world.counselor).get(f"/records/{world.alice_record.pk}/")

    event = AuditEvent.objects.get(action="records.viewed")
    assert event.actor == world.counselor
    assert event.subject == world.alice
    assert event.institution == world.institution


def test_a_student_reading_her_own_record_is_not_an_audit_event(client_for, world):
    client_for(world.alice).get(f"/records/{world.alice_record.pk}/")

    assert not AuditEvent.objects.exists()


def test_a_change_is_kept_with_before_after_and_reason(world):
    record = world.alice_record
    before = snapshot(record, ["name", "birth_date"])
    record.name = "李晓玫"
    log_action(
        record,
        "records.corrected",
        by=world.registrar,
        changes=diff(before, snapshot(record, ["name", "birth_date"])),
        reason="户口本与公安部门证明一致",
    )

    event = AuditEvent.objects.get()
    assert event.changes == {"name": ["李晓梅", "李晓玫"]}
    assert event.reason == "户口本与公安部门证明一致"
    assert event.actor_label.startswith(world.registrar.real_name)


def test_the_audit_is_append_only(world):
    event = log_action(world.alice_record, "records.viewed", by=world.registrar)

    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(reason="改写")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_registrar_reads_the_trail_of_her_institution_only(client_for, world):
    log_action(world.alice_record, "records.viewed", by=world.counselor)
    client_for(world.counselor).get(f"/records/{world.dave_record.pk}/")  # 404: not logged

    page = client_for(world.registrar).get("/audit/").content.decode()

    assert '<span title="records.viewed">查看学籍</span>' in page
    other_page = client_for(world.other_registrar).get("/audit/").content.decode()
    assert 'title="records.viewed"' not in other_page
    assert "暂无记录" in other_page


def test_the_admin_cannot_change_or_delete_audit_events(client_for, world):
    event = log_action(world.alice_record, "records.viewed", by=world.counselor)
    client = client_for(world.admin)

    response = client.post(f"/admin/portal/auditevent/{event.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_event_about_the_institution_is_in_its_registrars_trail(client_for, world):
    log_action(world.institution, "records.imported", by=world.registrar, reason="导入 120 行")

    page = client_for(world.registrar).get("/audit/").content.decode()

    assert "records.imported" in page


def test_the_record_trail_names_each_action_in_chinese(client_for, world):
    """变更记录 under a report reads 学籍信息确认正确, not the code records.confirmed; who
    only looked (查看学籍) is left out there and kept on the audit page, where the code
    stays in the name's title."""
    from records.models import DiscrepancyReport
    from records.services.checks import record_confirm, revoke_confirmation

    record_confirm(record=world.alice_record, by=world.alice)
    revoke_confirmation(world.alice_record, "有误")
    report = DiscrepancyReport.objects.create(
        record=world.alice_record, user=world.alice, explanation="见户口本"
    )
    client = client_for(world.registrar)
    client.get(f"/records/{world.alice_record.pk}/")

    page = client.get(f"/records/queue/{report.pk}/").content.decode()
    changes = page[page.index("变更记录") :]
    assert "学籍信息确认正确" in changes and "records.confirmed" not in changes
    assert "查看学籍" not in changes

    trail = client.get("/audit/").content.decode()
    assert '<span title="records.viewed">查看学籍</span>' in trail


def test_a_notice_history_shows_what_was_done_not_who_looked(client_for, world, notice):
    """The registrar's 修改记录 of a notice: a reminder preview (who looked at the
    unreachable students) is on the audit page, not in the notice's history."""
    client = client_for(world.registrar)
    client.get(f"/notices/{notice.pk}/remind/")

    history = client.get(f"/notices/manage/{notice.pk}/").content.decode()
    trail = client.get("/audit/").content.decode()

    assert "预览提醒" not in history
    assert "预览提醒" in trail
