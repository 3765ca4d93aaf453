"""What the documents point at exists: a newcomer who follows docs/ to a module finds it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOP = ("accounts/", "records/", "imaging/", "notices/", "portal/", "templates/", "tests/",
       "bench/", "scripts/", "docs/", "static/")  # fmt: skip
# `records/models.py`, `records/imports/`, `notices/help.py` — a path in backticks.
ALTERNATIVES = "|".join(re.escape(t) for t in TOP)
PATH = re.compile(r"`((?:" + ALTERNATIVES + r")[\w./-]*)`")


def cited_paths():
    for doc in sorted((ROOT / "docs").glob("*.md")):
        text = doc.read_text(encoding="utf-8")
        for match in PATH.finditer(text):
            yield doc.name, match.group(1)


def test_every_path_a_document_names_exists():
    missing = sorted(
        {f"{doc}: {path}" for doc, path in cited_paths() if not (ROOT / path).exists()}
    )
    assert not missing, "\n".join(missing)


def test_the_documents_name_paths_at_all():
    assert len(list(cited_paths())) > 50
