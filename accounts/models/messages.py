"""Messages (短信 and e-mail) as queued: the outbox the task worker sends from.

A row is written in the transaction that decides to send (so a rolled-back change sends
nothing) and handed to the task queue after commit; the worker sends it, and retries
with a growing wait when the gateway is down (accounts.outbox)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageState(models.TextChoices):
    QUEUED = "queued", _("等待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class MessageChannel(models.TextChoices):
    SMS = "sms", _("短信")
    EMAIL = "email", _("邮件")


class MessageKind(models.TextChoices):
    """What a message is about; an SMS back-end with templates picks its template by it
    (SMS_TEMPLATE_CODE, SMS_TEMPLATE_NOTICE, SMS_TEMPLATE_REMINDER)."""

    CODE = "code", _("验证码")
    NOTICE = "notice", _("账号通知")
    REMINDER = "reminder", _("提醒")


class OutboxMessage(models.Model):
    """One SMS or e-mail to one destination, with its delivery state.

    `next_try_at` is when a worker may take it next: a worker taking it moves it forward
    by a lease, so that no other worker sends it meanwhile; a failure moves it by the
    back-off. The text of a code message is erased once it is settled (the code is
    stored hashed everywhere else)."""

    channel = models.CharField(_("方式"), max_length=10, choices=MessageChannel.choices)
    kind = models.CharField(_("类型"), max_length=20, choices=MessageKind.choices)
    destination = models.CharField(_("接收方"), max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("主题"), max_length=200, blank=True)
    body = models.TextField(_("内容"), blank=True)
    params = models.JSONField(_("模板参数"), default=dict, blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=MessageState.choices, default=MessageState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try_at = models.DateTimeField(_("下次尝试时间"), default=timezone.now)
    last_error = models.CharField(_("最近一次错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # A code is worth sending only while it is valid.
    expires_at = models.DateTimeField(_("失效时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("待发消息")
        verbose_name_plural = _("待发消息")
        indexes = [models.Index(fields=["state", "next_try_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_kind_display()} #{self.pk}"
