"""Actions that the apps above imaging add to the missing-diploma list (学历照片未确认的
毕业生), so that imaging offers them without importing those apps (docs/architecture.md).

An app registers `fn(user, year, filters) -> [Action]` (`filters`: the list's
college, class and state, imaging.filters.missing_diploma_params) in its AppConfig.ready (notices: 提醒未确认
的学生, a preview and then a job). The page shows each action as a link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    label: str
    url: str


Provider = Callable[[object, int, dict[str, str]], list[Action]]

_providers: list[Provider] = []


def register_missing_diploma_action(fn: Provider) -> Provider:
    if fn not in _providers:
        _providers.append(fn)
    return fn


def missing_diploma_actions(user, year: int | None, filters: dict[str, str]) -> list[Action]:
    """The actions on the list of one year (届) as filtered, in registration order; none
    without a year."""
    if year is None:
        return []
    return [action for provider in _providers for action in provider(user, year, filters)]
