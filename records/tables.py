"""The staff's record lists as sortable tables (portal.lib.tables): 班级 with their
progress, 查询学籍, the registrar's 有误 queue. Rows come from records.selectors."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.lib.tables import NUM, DataTable
from records.selectors import PriorDegreeState, prior_certificate
from records.templatetags.records import discrepancy_submitted, record_state, reported_values


def _count(label):
    return tables.Column(verbose_name=label, attrs=NUM)


class ClassTable(DataTable):
    """Rows of records.selectors.class_progress (a list, sorted in Python), with pct_done
    set by the view."""

    name = tables.Column(verbose_name=_("班级"))
    code = tables.Column(verbose_name=_("班号"))
    college = tables.Column(
        verbose_name=_("学院"), accessor="college__name", order_by=("college__code",)
    )
    cohort = tables.Column(verbose_name=_("年级"))
    n_students = _count(_("人数"))
    n_bound = _count(_("已绑定"))
    n_looked = _count(_("已查看"))
    n_confirmed = _count(_("已确认"))
    n_reported = _count(_("报有误"))
    pct_done = _count(_("确认率"))

    class Meta(DataTable.Meta):
        caption = _("各班级校对进度")

    def render_name(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("records:class_detail", args=[record.pk]), value
        )

    def render_pct_done(self, value):
        return f"{value}%"


class RecordTable(DataTable):
    """Rows of records.selectors.records_in_scope; the ID number masked, as everywhere but
    the holder's own page."""

    student_number = tables.Column(verbose_name=_("学号"))
    name = tables.Column(verbose_name=_("姓名"))
    masked_id_number = tables.Column(verbose_name=_("证件号码"), orderable=False)
    college = tables.Column(verbose_name=_("学院"), accessor="college__name", orderable=False)
    school_class = tables.Column(
        verbose_name=_("班级"),
        accessor="school_class__name",
        order_by=("school_class__code", "student_number"),
        default="—",
    )
    state = tables.Column(verbose_name=_("校对状态"), empty_values=(), orderable=False)

    class Meta(DataTable.Meta):
        caption = _("学籍")
        empty_text = _("没有找到符合条件的学籍。")

    def render_name(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("records:record_detail", args=[record.pk]), value
        )

    def render_state(self, record):
        return record_state(record)


class DiscrepancyTable(DataTable):
    """Rows of records.selectors.discrepancies_for_queue. `back`: the queue's filters, which
    the link to each report carries so that the decision lands on the same queue."""

    created_at = tables.Column(verbose_name=_("提交时间"))
    kind = tables.Column(verbose_name=_("类别"), empty_values=(), orderable=False)
    # A 学籍's 学号; a 学历's 证书编号 (a degree of a 往届毕业生 may have no 学号).
    student_number = tables.Column(
        verbose_name=_("学号 / 证书编号"),
        accessor="record__student_number",
        order_by=("record__student_number", "degree__certificate_number"),
        empty_values=(),
    )
    name = tables.Column(verbose_name=_("姓名"), empty_values=(), orderable=False)
    college = tables.Column(verbose_name=_("学院"), empty_values=(), orderable=False)
    school_class = tables.Column(
        verbose_name=_("班级"),
        accessor="record__school_class__name",
        order_by=("record__school_class__code", "created_at"),
        default="—",
    )
    items = tables.Column(verbose_name=_("有误字段"), empty_values=(), orderable=False)
    n_evidence = tables.Column(verbose_name=_("材料"), attrs=NUM, orderable=False)
    state = tables.Column(verbose_name=_("状态"), accessor="state_label", orderable=False)

    class Meta(DataTable.Meta):
        caption = _("有误申请")
        empty_text = _("没有符合条件的申请。")

    def __init__(self, *args, back: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.back = back

    def render_created_at(self, record):
        return discrepancy_submitted(record, back=self.back)

    def render_kind(self, record):
        return _("学历") if record.degree_id else _("学籍")

    def render_student_number(self, record):
        if record.degree_id:
            return format_html('<span class="number">{}</span>', record.degree.certificate_number)
        return record.record.student_number

    def render_name(self, record):
        return record.subject.name

    def render_college(self, record):
        college = record.subject.college
        return college.name if college else "—"

    def render_items(self, record):
        values = ((reported_values(item),) for item in record.items.all())
        return format_html_join(mark_safe("<br>"), "{}", values)


class StudentListTable(DataTable):
    """The first columns of a staff list of students' records (学号, 姓名, the ID number
    masked, 学院, 班级): the 专升本 list here, imaging's missing-diploma list."""

    student_number = tables.Column(verbose_name=_("学号"))
    name = tables.Column(verbose_name=_("姓名"))
    masked_id_number = tables.Column(verbose_name=_("证件号码"), orderable=False)
    college = tables.Column(
        verbose_name=_("学院"), accessor="college__name", order_by=("college__code",)
    )
    school_class = tables.Column(
        verbose_name=_("班级"),
        accessor="school_class__name",
        order_by=("school_class__code", "student_number"),
        default="—",
    )


class PriorDegreeTable(StudentListTable):
    """Rows of records.selectors.zsb_records: the 专升本 student, the 专科 degree the roster
    names or she bound, and where it stands; the ID number masked."""

    certificate = tables.Column(
        verbose_name=_("专科毕业证书编号"), empty_values=(), orderable=False
    )
    prior_school = tables.Column(
        verbose_name=_("专科毕业院校"),
        accessor="prior_degree__institution__name",
        orderable=False,
        default="—",
    )
    prior_state = tables.Column(verbose_name=_("专科学历状态"))

    class Meta(DataTable.Meta):
        caption = _("专升本学生的专科学历")
        empty_text = _("没有符合条件的专升本学生。")

    def render_name(self, record, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("records:record_detail", args=[record.pk]), value
        )

    def render_certificate(self, record):
        return format_html('<span class="number">{}</span>', prior_certificate(record))

    def render_prior_state(self, record, value):
        return PriorDegreeState(value).label
