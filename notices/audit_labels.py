"""The words of notices' audit events (portal.lib.audit_labels), registered in ready()."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "notices.created": _("新建通知"),
    "notices.edited": _("修改通知"),
    "notices.published": _("发布通知"),
    "notices.withdrawn": _("撤回通知"),
    "notices.attachment_added": _("添加附件"),
    "notices.attachment_removed": _("删除附件"),
    "notices.reminded": _("发送提醒"),
    "notices.diploma_reminded": _("提醒学历照片未确认的学生"),
    "notices.remind_previewed": _("预览提醒（查看无法联系的学生）"),
    "notices.unreachable_exported": _("导出无法联系的学生名单"),
    "notices.pending_exported": _("导出未完成名单"),
    "notices.required_exported": _("导出必须完成任务的未完成名单"),
    "notices.sheet_viewed": _("查看班级反馈表"),
    "notices.sheet_remark": _("填写反馈表校对结果"),
    "notices.sheet_signed": _("辅导员签名"),
    "notices.sheet_unsigned": _("撤回辅导员签名"),
    "notices.sheet_handed_in": _("学院领导复核上交"),
    "notices.sheet_exported": _("导出班级反馈表"),
    "notices.college_exported": _("导出学院反馈表"),
    "notices.feedback_exported": _("导出全部反馈表"),
    "notices.admin_viewed": _("后台查看通知数据"),
    "notices.satisfaction_exported": _("导出满意度评价结果"),
}

FIELDS = {
    "audience": _("通知对象"),
    "contact_rows": _("联系方式"),
    "contacts": _("其他说明"),  # the notice's free text beside its contacts, as its form says
    "attachment": _("附件"),
    "counselor_signed_at": _("辅导员签名时间"),
    "leader_signed_at": _("学院领导复核时间"),
    "late": _("逾期"),
    "sent": _("已发送"),
    "year": _("毕业届别"),
    "command": _("命令"),
}
