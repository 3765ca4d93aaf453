"""The words of records' audit events (portal.lib.audit_labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

from records.regions import region_name

ACTIONS = {
    "records.viewed": _("查看学籍"),
    "records.searched": _("查询学籍"),
    "records.bound": _("绑定学籍"),
    "records.confirmed": _("学籍信息确认正确"),
    "records.reported": _("提交学籍有误申请"),
    "records.report_withdrawn": _("撤回有误申请"),
    "records.report_rejected": _("有误申请未通过"),
    "records.corrected": _("更正学籍信息"),
    "records.degree_confirmed": _("学历信息确认正确"),
    "records.degree_reported": _("提交学历有误申请"),
    "records.degree_corrected": _("更正学历信息"),
    "records.evidence_viewed": _("查看证明材料"),
    "records.edit_viewed": _("打开学籍修改页"),
    "records.edited": _("修改学籍"),
    "records.imported": _("导入学籍"),
    "records.roster_imported": _("导入学生名单"),
    "records.roster_exported": _("导出学生名单"),
    "records.queue_exported": _("导出有误申请"),
    "records.corrections_exported": _("导出学籍更正明细"),
    "records.degree_created": _("新增学历"),
    "records.degree_edited": _("修改学历"),
    "records.degree_imported": _("导入学历（更新）"),
    "records.degrees_imported": _("导入学历名单"),
    "records.online_report_created": _("生成在线验证报告"),
    "records.online_report_extended": _("延长在线验证报告"),
    "records.online_report_closed": _("关闭在线验证报告"),
    "records.online_report_viewed": _("查看在线验证报告"),
    "records.admin_viewed": _("后台查看学籍数据"),
    "records.prior_degree_linked": _("关联专升本专科学历"),
    "records.prior_degree_bound": _("绑定专升本专科学历"),
    "records.zsb_exported": _("导出专升本学生专科学历名单"),
}

FIELDS = {
    "q": _("查询内容"),
    "found": _("查到"),
    "evidence": _("证明材料"),
    "created": _("新增"),
    "updated": _("更新"),
    "linked": _("对应到学籍"),
    "prior_degree": _("专科学历"),
    "prior_certificate_number": _("专科毕业证书编号"),
}

VALUES = {"origin_region": region_name}
