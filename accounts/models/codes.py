"""Verification codes (验证码) as stored: hashed, single use, bound to a purpose."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    """What a verification code proves; a code is good for its purpose only."""

    REGISTER = "register", _("注册")
    FIND_USERNAME = "find_username", _("找回用户名")
    RESET_PASSWORD = "reset_password", _("找回密码")
    CHANGE_PHONE = "change_phone", _("更换手机号")
    CHANGE_EMAIL = "change_email", _("更换邮箱")


class VerificationCode(models.Model):
    """A 6-digit code sent by SMS or e-mail: stored hashed, single use, 10 minutes,
    at most 5 wrong tries (docs/security.md, ASVS V2.7)."""

    purpose = models.CharField(_("用途"), max_length=20, choices=CodePurpose.choices)
    destination = models.CharField(_("接收方"), max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("发送时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("失效时间"))
    failed_attempts = models.PositiveSmallIntegerField(_("错误次数"), default=0)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证码")
        verbose_name_plural = _("验证码")
        indexes = [models.Index(fields=["destination", "created_at"], name="code_destination_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.destination}"
