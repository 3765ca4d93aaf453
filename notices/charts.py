"""The registrar's chart of a notice's progress: students 已完成, cumulated day by day from
the notice's start to its deadline, against the target (every student), as an inline SVG
drawn on the server (no script, no CDN), with its numbers for a table beside it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from notices.selectors import done_by_day

# The drawing's own units; the SVG scales to the width of the page (375 px phones too).
WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 32


@dataclass(frozen=True)
class Day:
    day: datetime.date
    n: int  # finished that day
    total: int  # finished by the end of that day


@dataclass(frozen=True)
class ProgressChart:
    start: datetime.date
    end: datetime.date  # the deadline's day
    target: int
    days: list[Day]  # from start to the last day with numbers (today, or the deadline)

    @property
    def done(self) -> int:
        return self.days[-1].total if self.days else 0

    @property
    def svg(self) -> SafeString:
        return render_svg(self)


def progress_chart(
    by_day: dict[datetime.date, int],
    *,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    target: int,
) -> ProgressChart:
    """The days from `start` to `end` (or to `today`, if earlier), each with the students
    finished that day and by then; those finished before `start` count on its first day,
    those after `end` not at all."""
    last = min(end, today)
    days: list[Day] = []
    total = sum(n for day, n in by_day.items() if day < start)
    day = start
    while day <= last:
        n = by_day.get(day, 0)
        total += n
        days.append(Day(day, n, total))
        day += datetime.timedelta(days=1)
    return ProgressChart(start=start, end=end, target=target, days=days)


def render_svg(chart: ProgressChart) -> SafeString:
    """The chart as an accessible image: role="img", a <title> and a <desc> saying the
    numbers (the page's <details> table gives every day)."""
    span = max((chart.end - chart.start).days, 1)
    top = max(chart.target, chart.done, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + plot_w * (day - chart.start).days / span, 1)

    def y(n: int) -> float:
        return round(TOP + plot_h * (1 - n / top), 1)

    title = _("每日累计已完成人数")
    desc = _(
        "%(start)s 至 %(end)s（截止）；截至 %(last)s 已完成 %(done)d 人，目标 %(target)d 人。"
    ) % {
        "start": chart.start.isoformat(),
        "end": chart.end.isoformat(),
        "last": chart.days[-1].day.isoformat() if chart.days else chart.start.isoformat(),
        "done": chart.done,
        "target": chart.target,
    }
    if chart.days:
        points = " ".join(f"{x(d.day)},{y(d.total)}" for d in chart.days)
        line = format_html(
            '<polyline class="chart-done" points="{}" fill="none" stroke="#1f6feb" '
            'stroke-width="2.5"/>',
            points,
        )
    else:
        line = format_html(
            '<text x="{}" y="{}" text-anchor="middle" class="chart-empty">{}</text>',
            LEFT + plot_w / 2,
            TOP + plot_h / 2,
            _("暂无数据"),
        )
    axes = format_html(
        '<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#555"/>'
        '<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#555"/>'
        '<text x="{l}" y="{lb}" text-anchor="start">{start}</text>'
        '<text x="{lx}" y="{ty}" text-anchor="end">{top}</text>'
        '<text x="{lx}" y="{by}" text-anchor="end">0</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        t=TOP,
        b=TOP + plot_h,
        lb=HEIGHT - 10,
        lx=LEFT - 6,
        ty=y(top) + 4,
        by=TOP + plot_h + 4,
        start=chart.start.strftime("%m-%d"),
        top=top,
    )
    target = format_html(
        '<line class="chart-target" x1="{l}" y1="{y}" x2="{r}" y2="{y}" stroke="#2da44e" '
        'stroke-dasharray="6 4"/><text x="{r}" y="{ly}" text-anchor="end">{label}</text>',
        l=LEFT,
        r=WIDTH - RIGHT,
        y=y(chart.target),
        ly=y(chart.target) - 4,
        label=_("目标 %(n)d 人") % {"n": chart.target},
    )
    deadline = format_html(
        '<line class="chart-deadline" x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke="#cf222e" '
        'stroke-dasharray="3 3"/><text x="{x}" y="{lb}" text-anchor="end">{label}</text>',
        x=x(chart.end),
        t=TOP,
        b=TOP + plot_h,
        lb=HEIGHT - 10,
        label=_("截止 %(day)s") % {"day": chart.end.strftime("%m-%d")},
    )
    return format_html(
        '<svg class="progress-chart" role="img" aria-labelledby="chart-title chart-desc" '
        'viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMidYMid meet" '
        'font-size="12" fill="currentColor" xmlns="http://www.w3.org/2000/svg">'
        '<title id="chart-title">{title}</title><desc id="chart-desc">{desc}</desc>'
        "{axes}{target}{deadline}{line}</svg>",
        w=WIDTH,
        h=HEIGHT,
        title=title,
        desc=desc,
        axes=axes,
        target=target,
        deadline=deadline,
        line=line,
    )


def notice_chart(notice, user, *, target: int) -> ProgressChart | None:
    """The chart of `notice` for `user`'s scope; None when the notice has no window."""
    if notice.window_start is None or notice.window_end is None:
        return None
    return progress_chart(
        done_by_day(notice, user),
        start=timezone.localdate(notice.window_start),
        end=timezone.localdate(notice.window_end),
        today=timezone.localdate(),
        target=target,
    )
