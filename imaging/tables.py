"""The staff's photo lists as sortable tables (portal.lib.tables); rows come from
imaging.selectors."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from imaging.filters import diploma_label
from portal.lib.tables import DataTable
from records.tables import StudentListTable


def _student(record):
    return format_html(
        '<a href="{}">{}</a>', reverse("records:record_detail", args=[record.pk]), record.name
    )


class DisputeTable(DataTable):
    """Rows of imaging.selectors.dispute_queue: the photo, the student, the report, and the
    registrar's two ways out (imaging/_dispute_actions.html)."""

    photo = tables.TemplateColumn(
        verbose_name=_("照片"),
        template_name="imaging/_dispute_photo.html",
        orderable=False,
        accessor="pk",
    )
    student = tables.Column(
        verbose_name=_("学生"),
        accessor="record__name",
        order_by=("record__student_number",),
    )
    school_class = tables.Column(
        verbose_name=_("学院 / 班级"),
        accessor="record__college__name",
        order_by=("record__college__code", "record__school_class__code"),
    )
    reported_at = tables.Column(verbose_name=_("有误原因"), attrs={"td": {"class": "wrap"}})
    actions = tables.TemplateColumn(
        verbose_name=_("操作"),
        template_name="imaging/_dispute_actions.html",
        orderable=False,
        accessor="pk",
        attrs={"td": {"class": "wrap"}},
    )

    class Meta(DataTable.Meta):
        caption = _("照片有误")
        empty_text = _("暂无报告有误的照片。")

    def render_student(self, record):
        return format_html(
            '{}<br><span class="muted">{}</span>',
            _student(record.record),
            record.record.student_number,
        )

    def render_school_class(self, record):
        school_class = record.record.school_class
        return format_html(
            '{}<br><span class="muted">{}</span>',
            record.record.college.name,
            school_class.name if school_class else "—",
        )

    def render_reported_at(self, record):
        reasons = format_html_join(
            "",
            '{}{}<br><span class="muted">{}</span>',
            (
                (
                    v.get_reason_display(),
                    f"（{v.comment}）" if v.comment else "",
                    timezone.localtime(v.created_at).strftime("%Y-%m-%d"),
                )
                for v in record.verifications.all()
            ),
        )
        return format_html("{}：{}", record.get_kind_display(), reasons)


class MissingDiplomaTable(StudentListTable):
    """Rows of imaging.selectors.graduates_without_confirmed_diploma; ID numbers masked."""

    diploma_state = tables.Column(verbose_name=_("学历照片"), empty_values=())

    class Meta(DataTable.Meta):
        caption = _("学历照片未确认的毕业生")
        empty_text = _("没有学历照片未确认的毕业生。")

    def render_name(self, record):
        return _student(record)

    def render_diploma_state(self, value):
        return format_html(
            '<span class="state state-{}">{}</span>', value or "none", diploma_label(value)
        )
