"""The words of imaging's audit events (portal.lib.audit_labels), registered in ready()."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from imaging.models import PhotoState

ACTIONS = {
    "imaging.photo_added": _("上传照片"),
    "imaging.photo_replaced": _("更换照片"),
    "imaging.photo_viewed": _("查看照片"),
    "imaging.thumbnail_viewed": _("查看照片缩略图"),
    "imaging.photo_rated": _("评价照片质量"),
    "imaging.dispute_closed": _("照片有误报告标记为已处理"),
    "imaging.batch_imported": _("批量导入照片"),
    "imaging.batch_viewed": _("查看照片导入报告"),
    "imaging.missing_diploma_exported": _("导出未确认学历照片名单"),
    "imaging.admin_viewed": _("后台查看照片数据"),
    **{
        f"imaging.photo_{state.value}": format_lazy("{}：{}", _("照片校对"), state.label)
        for state in PhotoState
    },
}

FIELDS = {"rating": _("评分")}
