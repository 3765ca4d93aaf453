"""The rooms of the code import in one direction (docs/architecture.md)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_no_room_imports_a_room_above_it():
    result = subprocess.run(
        [sys.executable, "scripts/rooms.py"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no cycle between rooms" in result.stdout


def test_the_checker_sees_an_import_inside_a_function_and_a_relation(tmp_path):
    """The check is only as good as what it reads: an import hidden in a function body
    and a foreign key named by a string both count."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import rooms
    finally:
        sys.path.pop(0)
    source = tmp_path / "records" / "hidden.py"
    source.parent.mkdir()
    source.write_text(
        "def late():\n"
        "    from notices.models import Notice\n"
        "notice = models.ForeignKey('notices.Notice', on_delete=models.CASCADE)\n",
        encoding="utf-8",
    )
    found = list(rooms.imported(source, "records.hidden"))
    assert ("notices.models", 2) in found
    assert ("notices", -3) in found
