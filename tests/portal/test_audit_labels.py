"""The audit trail reads in Chinese: every action in words, fields by their labels, values
as the pages show them, times as a person writes them (portal.lib.audit_labels)."""

import ast
import datetime
import re
from pathlib import Path
from unittest import mock

from django.utils import timezone

from portal.lib import audit_labels
from portal.lib.audit import log_access, log_action

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "records", "imaging", "notices", "portal")
CODE = re.compile(r"^(accounts|records|imaging|notices|portal)\.[a-z_]+$")
# Codes built at run time, with every value they can take.
DYNAMIC = {
    "f'imaging.photo_{state}'": "imaging.photo_",
    "f'accounts.classmate_{assist.state}'": "accounts.classmate_",
    "f'{self.opts.app_label}.admin_viewed'": ".admin_viewed",
    "audit.JOB_DOWNLOADED": "portal.job_downloaded",
}


# Where a writer takes the action: its position among the arguments.
WRITERS = {"log_action": 1, "log_access": 1, "_log": 1, "_log_staff_view": 2}
# action= there reads the trail or is a command's option: it writes nothing.
NOT_WRITERS = {"filter", "exclude", "get", "add_argument"}


def _action_arguments(node: ast.Call) -> list[ast.expr]:
    name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
    if name in NOT_WRITERS:
        return []
    found = [kw.value for kw in node.keywords if kw.arg == "action"]
    index = WRITERS.get(name)
    if index is not None and len(node.args) > index:
        found.append(node.args[index])
    return found


def _codes_of(value: ast.expr) -> tuple[set[str], set[str]]:
    """(literal codes, run-time expressions) an action argument may hold."""
    options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
    literal, dynamic = set(), set()
    for option in options:
        if isinstance(option, ast.Constant) and CODE.match(str(option.value)):
            literal.add(option.value)
        else:
            dynamic.add(ast.unparse(option))
    return literal, dynamic


def _action_codes() -> tuple[set[str], set[str]]:
    """Every action code the code base writes: literal codes passed to log_action,
    log_access and their wrappers or as action=, and the run-time ones (returned apart)."""
    literal: set[str] = set()
    dynamic: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call):
                    for value in _action_arguments(node):
                        found, built = _codes_of(value)
                        literal |= found
                        dynamic |= built
    return literal, dynamic


def test_every_action_the_code_writes_has_words():
    literal, dynamic = _action_codes()
    known = dict(audit_labels.known_actions())

    assert len(literal) > 60  # the scan finds them
    assert sorted(code for code in literal if code not in known) == []
    assert dynamic <= set(DYNAMIC) | {"action"}, dynamic - set(DYNAMIC)
    for family in DYNAMIC.values():
        assert any(family in code for code in known), family


def test_the_audit_page_shows_no_code_for_any_action(client_for, world):
    for code, _label in audit_labels.known_actions():
        log_action(world.alice_record, code, by=world.counselor, changes={"status": ["a", "b"]})

    page = client_for(world.registrar).get("/audit/", {"page": 1}).content.decode()

    body = page[page.index("<tbody>") : page.index("</tbody>")]
    shown = re.sub(r'title="[^"]*"', "", body)
    assert re.findall(r"\b(?:accounts|records|imaging|notices|portal)\.[a-z_]+", shown) == []


def test_a_correction_reads_as_the_record_page_shows_it(client_for, world):
    log_action(
        world.alice_record,
        "records.corrected",
        by=world.registrar,
        changes={"ethnicity": ["01", "03"], "birth_date": ["2004-05-01", "2004-05-02"]},
        reason="户口本",
    )

    page = client_for(world.registrar).get("/audit/").content.decode()

    assert "更正学籍信息" in page
    assert "民族：汉族 → 回族" in page
    assert "出生日期：2004年5月1日 → 2004年5月2日" in page
    assert "原因：户口本" in page


def test_times_read_in_the_portal_time_zone_as_a_person_writes_them(client_for, world):
    moment = datetime.datetime(2026, 12, 4, 5, 27, tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):  # the event's time
        log_action(
            world.alice_record,
            "notices.sheet_handed_in",
            by=world.college_staff,
            changes={"leader_signed_at": [None, moment.isoformat()], "late": [None, False]},
        )

    page = client_for(world.registrar).get("/audit/").content.decode()

    assert "2026年12月4日 13:27" in page  # Asia/Shanghai
    assert "学院领导复核时间：— → 2026年12月4日 13:27" in page
    assert "逾期：— → 否" in page
    assert "T05:27" not in page


def test_filters_by_action_person_and_day(client_for, world):
    log_action(world.alice_record, "records.viewed", by=world.counselor)
    log_access(world.registrar, "records.searched", None, students=[world.alice_record])
    ten_days_ago = timezone.now() - datetime.timedelta(days=10)
    with mock.patch("django.utils.timezone.now", return_value=ten_days_ago):
        log_action(world.bob_record, "records.corrected", by=world.registrar)
    client = client_for(world.registrar)

    def shown(**params):
        page = client.get("/audit/", params).content.decode()
        return sorted(set(re.findall(r'<span title="([a-z_.]+)">', page)))

    assert shown(action="records.viewed") == ["records.viewed"]
    assert shown(action="records.") == ["records.corrected", "records.searched", "records.viewed"]
    assert shown(actor=world.counselor.username) == ["records.viewed"]
    assert shown(actor=world.counselor.get_full_name()) == ["records.viewed"]
    today = timezone.localdate()
    assert "records.corrected" not in shown(since=today.isoformat())
    assert shown(until=(today - datetime.timedelta(days=5)).isoformat()) == ["records.corrected"]
    page = client.get("/audit/", {"since": today, "until": today - datetime.timedelta(days=1)})
    assert "截止日期不能早于起始日期" in page.content.decode()
