"""The satisfaction results as a workbook a person files or prints (portal.lib.xlsx): a
sheet of figures (a row per group and item: mean and how many gave each score) and a
sheet of the words, per college. A hidden group (notices.satisfaction.selectors.hide_small)
is one row that says so, with no figure; its words are not listed."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from notices.models import Notice
from notices.satisfaction.selectors import MINIMUM, SCORES, Group, Results
from portal.lib.xlsx import Report, download_name, report_bytes
from records.exports import export_date, export_note, scope_label


def filename_for(notice: Notice, user) -> str:
    return download_name(_("满意度评价结果"), notice.number, scope_label(user), export_date())


def hidden_words(group: Group) -> str:
    if group.shielding:
        return _("不显示（以免由其他各组推算出不足 %(n)d 人的组）") % {"n": MINIMUM}
    return _("不足 %(n)d 人，不显示") % {"n": MINIMUM}


def figures_header() -> list[str]:
    scores = [_("%(score)d 分（人）") % {"score": score} for score in SCORES]
    return [_("学院"), _("专业"), _("评价人数"), _("评价项目"), _("平均分"), *scores]


def _group_rows(college: str, major: str, group: Group) -> Iterator[list]:
    if group.hidden:
        yield [college, major, hidden_words(group), "", "", *[""] * len(SCORES)]
        return
    for item in group.items:
        yield [college, major, group.n, item.label, round(item.mean, 2), *item.counts]


def figures_rows(results: Results) -> Iterator[list]:
    everything, every_major = _("全部学院"), _("全部专业")
    if len(results.colleges) > 1:
        yield from _group_rows(everything, every_major, results.total)
    for college in results.colleges:
        yield from _group_rows(college.label, every_major, college)
        for major in college.children:
            yield from _group_rows(college.label, major.label, major)


def words_rows(results: Results) -> Iterator[list]:
    for college in results.colleges:
        if not college.hidden:
            for text in college.words:
                yield [college.label, text]


def results_workbook(notice: Notice, results: Results, user) -> bytes:
    note = export_note(user, f"{notice.number} {notice.title}")
    figures = Report(
        title=_("专业满意度和院校满意度评价结果"),
        note=note,
        header=figures_header(),
        rows=figures_rows(results),
    )
    words = Report(
        title=_("意见和建议"),
        note=note,
        header=[_("学院"), _("意见和建议")],
        rows=words_rows(results),
    )
    return report_bytes(figures, words)
