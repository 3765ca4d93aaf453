"""The registrar's import pages: the roster (名单导入) and the degrees (学历名单导入):
upload, then watch the job's progress.

The file is checked here for size and kind only; the rows are read and validated by the
background job (records/imports/tasks.py), whose page shows the counts or every error."""

import datetime
import io
import random
import uuid

from django import forms
from django.core.files.storage import default_storage
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.decorators import role_required
from accounts.models import Role
from portal.lib import idnumbers, jobs
from portal.lib.xlsx import XLSX, SheetSpec, write_sheets, xlsx_response
from records import imports
from records.imports import tasks
from records.imports.degrees import DEGREE_COLUMNS, DEGREE_TEMPLATE_HEADER


class ImportUploadForm(forms.Form):
    """An .xlsx for an import of the framework: checked here for size and kind only."""

    file = forms.FileField(
        label=gettext_lazy("名单文件（.xlsx）"),
        help_text=gettext_lazy("不超过 50 MB；第一个工作表为学生名单，表头可在标题行下面。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("试导入：只校验并统计，不写入数据"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known before the content is read (docs/security.md: uploads).
        if upload.size > imports.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("文件超过 %(mb)d MB，请拆分后分批导入。")
                % {"mb": imports.MAX_FILE_BYTES // 2**20}
            )
        upload.seek(0)
        magic = upload.read(4)
        upload.seek(0)
        if magic != b"PK\x03\x04":  # by content, never by name: the job checks the rest
            raise forms.ValidationError(
                _("文件不是 Excel .xlsx 工作簿。请在 Excel 或 WPS 中“另存为” .xlsx 后重新上传。")
            )
        return upload


class RosterUploadForm(ImportUploadForm):
    allow_new_colleges = forms.BooleanField(
        label=gettext_lazy("允许新建学院、专业"),
        help_text=gettext_lazy(
            "不勾选时，名单中有系统里没有的分院或专业（如写错的名称）会被拒绝，并列出相近的已有名称。"
        ),
        required=False,
    )
    strict = forms.BooleanField(
        label=gettext_lazy("将警告视为错误"),
        help_text=gettext_lazy("如考生号与录取年份、生源省市不符：不勾选时只列出警告，照常导入。"),
        required=False,
    )


@role_required(Role.REGISTRAR)
def roster_import(request):
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Our name, never the user's; private storage, deleted when the job ends.
        name = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", form.cleaned_data["file"])
        dry_run = form.cleaned_data["dry_run"]
        job = jobs.job_start(
            owner=request.user,
            kind="records.roster_import",
            title=_("试导入学生名单") if dry_run else _("导入学生名单"),
            task=tasks.import_roster,
            params={
                "file": name,
                "dry_run": dry_run,
                "allow_new_colleges": form.cleaned_data["allow_new_colleges"],
                "strict": form.cleaned_data["strict"],
            },
        )
        return redirect(job)
    context = {"form": form, "columns": imports.COLUMNS}
    return render(request, "records/imports/roster_import.html", context)


# Typed as numbers, these lose their leading zeros, and an 18-digit ID number its last
# three digits (Excel keeps 15): the template formats them as text, for this many rows.
TEXT_TITLES = ("考生号", "学号", "身份证号")
TEMPLATE_TEXT_ROWS = 2000


def _example(header: list[str]) -> list[str]:
    """A fictional student, valid in every column (the ID number's check digit too).
    Data, not UI text: the import reads these words in Chinese whatever the language."""
    birth = datetime.date(2005, 3, 8)
    values = {
        "考生号": "23110101150001",
        "姓名": "张示例",
        "学号": "2023010001",
        "性别": "女",
        "出生日期": birth.isoformat(),
        "身份证号": idnumbers.generate(rng=random.Random(1), region="110101", birth=birth, sex="2"),
        "民族": "汉族",
        "生源省市": "北京市",
        "院校代码": "13999",
        "院校名称": "示例职业大学",
        "学籍状态": "在籍(注册学籍)",
        "专业名称": "软件技术",
        "学制": "3",
        "层次": "专科",
        "录取年份": "2023",
        "学习形式": "普通全日制",
        "学历类别": "普通",
        "分院": "信息工程学院",
        "系所函授站": "",
        "班号": "2023101",
        "入学日期": "2023-09-01",
        "预计毕业日期": "2026-07-01",
    }
    return [values.get(title, "") for title in header]


@role_required(Role.REGISTRAR)
def roster_template(request):
    """示例名单: the first sheet is the one the import reads, with its header and the ID
    and number columns formatted as text; the example row sits on a second sheet
    (填写说明), which the import never reads, so that a forgotten example is never
    imported as a student."""
    header = imports.TEMPLATE_HEADER
    text_columns = [header.index(title) for title in TEXT_TITLES]
    widths = {index: 20 for index in text_columns}
    roster = SheetSpec(
        title=_("学生名单"),
        header=header,
        text_columns=text_columns,
        text_rows=TEMPLATE_TEXT_ROWS,
        widths=widths,
    )
    guide = SheetSpec(
        title=_("填写说明"),
        lead=[
            [
                _(
                    "下面一行是示例（虚构的学生），请在第一个工作表“学生名单”中按同样格式填写；导入只读取第一个工作表，本页不会被导入。"
                )
            ],
            [
                _(
                    "考生号、学号、身份证号列已设为文本格式，开头的 0 和 18 位身份证号都会原样保留；从其他表格粘贴时请选择“只粘贴数值”。"
                )
            ],
            [_("日期可写作 2023-09-01 或 2023年9月1日；系所函授站、班号可不填。")],
            [],
        ],
        header=header,
        rows=[_example(header)],
        text_columns=text_columns,
        widths=widths,
    )
    buffer = io.BytesIO()
    write_sheets(buffer, [roster, guide])
    return xlsx_response(buffer.getvalue(), _("示例名单.xlsx"))


class DegreeUploadForm(ImportUploadForm):
    file = forms.FileField(
        label=gettext_lazy("学历名单文件（.xlsx）"),
        help_text=gettext_lazy("不超过 50 MB；第一个工作表为学历名单，表头可在标题行下面。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX}),
    )


@role_required(Role.REGISTRAR)
def degree_import(request):
    form = DegreeUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name = default_storage.save(f"imports/{uuid.uuid4().hex}.xlsx", form.cleaned_data["file"])
        dry_run = form.cleaned_data["dry_run"]
        job = jobs.job_start(
            owner=request.user,
            kind="records.degree_import",
            title=_("试导入学历名单") if dry_run else _("导入学历名单"),
            task=tasks.import_degrees,
            params={"file": name, "dry_run": dry_run},
        )
        return redirect(job)
    context = {"form": form, "columns": DEGREE_COLUMNS}
    return render(request, "records/imports/degree_import.html", context)


DEGREE_TEXT_TITLES = ("证书编号", "证件号码", "学号", "原证书编号")


def _degree_example(header: list[str]) -> list[str]:
    """A fictional graduate, valid in every column (the certificate number agrees with
    院校代码, year and 层次). Data, not UI text, like the roster's example."""
    birth = datetime.date(2002, 5, 6)
    values = {
        "证书编号": "139991202306000001",
        "姓名": "王示例",
        "性别": "男",
        "出生日期": birth.isoformat(),
        "证件类型": "居民身份证",
        "证件号码": idnumbers.generate(rng=random.Random(2), region="110101", birth=birth, sex="1"),
        "院校代码": "13999",
        "院校名称": "示例职业大学",
        "专业名称": "软件技术",
        "层次": "专科",
        "学历类别": "普通",
        "学习形式": "普通全日制",
        "入学日期": "2020-09-01",
        "毕业日期": "2023-06-30",
        "毕（结）业": "毕业",
        "学号": "2020010001",
    }
    return [values.get(title, "") for title in header]


@role_required(Role.REGISTRAR)
def degree_template(request):
    """示例学历名单: as the roster's template, the first sheet is read, the example sits on
    a second sheet (填写说明) that the import never reads."""
    header = DEGREE_TEMPLATE_HEADER
    text_columns = [header.index(title) for title in DEGREE_TEXT_TITLES]
    widths = {index: 22 for index in text_columns}
    degrees = SheetSpec(
        title=_("学历名单"),
        header=header,
        text_columns=text_columns,
        text_rows=TEMPLATE_TEXT_ROWS,
        widths=widths,
    )
    guide = SheetSpec(
        title=_("填写说明"),
        lead=[
            [
                _(
                    "下面一行是示例（虚构的毕业生），请在第一个工作表“学历名单”中按同样格式填写；导入只读取第一个工作表，本页不会被导入。"
                )
            ],
            [
                _(
                    "证书编号、证件号码、学号、原证书编号列已设为文本格式；18 位证书编号为院校代码（5 位）、办学类型（1 位）、毕业年份（4 位）、层次代码（2 位：01 博士、02 硕士、04 第二学士学位、05 本科、06 专科）和序号。"
                )
            ],
            [_("2001 年以前的证书按原样填写，学校另有编号的填在“原证书编号”；学号可不填。")],
            [],
        ],
        header=header,
        rows=[_degree_example(header)],
        text_columns=text_columns,
        widths=widths,
    )
    buffer = io.BytesIO()
    write_sheets(buffer, [degrees, guide])
    return xlsx_response(buffer.getvalue(), _("示例学历名单.xlsx"))
