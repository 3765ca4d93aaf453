"""Blocks that the apps above records add to a record's page (学籍信息, a record's page),
so that records composes them without importing those apps (docs/architecture.md).

An app registers `fn(records) -> {record pk: Panel}` in its AppConfig.ready (imaging:
the 图像校对 block). A page calls `record_panels` once with every record it shows, so
that it costs the same queries for one record or several. The page includes each
panel's template with `panel` in its context.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str
    record: Any
    data: Any = None


Provider = Callable[[list], dict[int, Panel]]

_providers: list[Provider] = []


def register_record_panel(fn: Provider) -> Provider:
    if fn not in _providers:
        _providers.append(fn)
    return fn


def record_panels(records: Iterable) -> dict[int, list[Panel]]:
    """{record pk: its panels, in registration order}."""
    records = list(records)
    panels: dict[int, list[Panel]] = {}
    for provider in _providers:
        for pk, panel in provider(records).items():
            panels.setdefault(pk, []).append(panel)
    return panels
