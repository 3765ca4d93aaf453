"""The words of accounts' audit events (portal.lib.audit_labels), registered in ready()."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import AssistState

ACTIONS = {
    "accounts.registered": _("注册账号"),
    "accounts.cancelled": _("注销账号"),
    "accounts.username_changed": _("修改用户名"),
    "accounts.password_changed": _("修改密码"),
    "accounts.password_reset": _("重置密码"),
    "accounts.email_changed": _("修改邮箱"),
    "accounts.phone_changed": _("修改手机号"),
    "accounts.phone_taken_over": _("接管手机号"),
    "accounts.phone_released": _("解除手机号绑定"),
    "accounts.phone_request_submitted": _("提交手机号申诉"),
    "accounts.real_name_change_submitted": _("提交姓名变更申请"),
    "accounts.real_name_changed": _("变更姓名"),
    "accounts.login_unlocked": _("解除登录锁定"),
    "accounts.second_factor_enrolled": _("绑定两步验证"),
    "accounts.second_factor_reset": _("重置两步验证"),
    "accounts.recovery_code_used": _("使用备用验证码登录"),
    "accounts.recovery_codes_regenerated": _("重新生成备用验证码"),
    "accounts.id_photos_submitted": _("提交手持证件照片"),
    "accounts.identity_image_viewed": _("查看身份核验照片"),
    "accounts.identity_approved": _("身份核验通过"),
    "accounts.request_viewed": _("查看身份核验申请"),
    "accounts.request_rejected": _("驳回身份核验申请"),
    "accounts.request_closed": _("关闭身份核验申请"),
    "accounts.claim_ready": _("身份核验通过，通知原账号（异议期）"),
    "accounts.claim_to_review": _("转客服复核（涉及工作人员账号）"),
    "accounts.claim_viewed": _("查看账号迁移申请"),
    "accounts.claim_objected": _("原账号持有人提出异议"),
    "accounts.claim_cancelled": _("撤销账号迁移"),
    "accounts.claim_completed": _("完成账号迁移"),
    "accounts.holdings_moved": _("迁移原账号的学籍与记录"),
    "accounts.admin_viewed": _("后台查看账号"),
    **{
        f"accounts.classmate_{state.value}": format_lazy("{}：{}", _("同学协助"), state.label)
        for state in AssistState
    },
}

FIELDS = {
    "username": _("用户名"),
    "email": _("邮箱"),
    "phone": _("手机号"),
    "side": _("证件照片"),
    "recovery_codes_left": _("剩余备用验证码"),
}
