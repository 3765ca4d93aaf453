"""Requests to the identity reviewers (客服), classmates' help and identity claims: how an
account pending for a duplicate ID number, a phone held by another account or a wrong
real name is put right."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models.users import IdType, Role, User, mask_phone


class RequestKind(models.TextChoices):
    DUPLICATE_ID = "duplicate_id", _("证件号码重复")
    PHONE = "phone", _("手机号已使用")
    REAL_NAME = "real_name", _("实名信息修改")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待审核")
    REJECTED = "rejected", _("审核失败")
    APPROVED = "approved", _("通过")


class RejectReason(models.TextChoices):
    """Seed 000: the cases in which hand-held ID photos are not approved."""

    UNCLEAR = "unclear", _("照片中身份证上信息不清晰")
    NOT_AS_REQUIRED = "not_as_required", _("照片不符合上传页面的文字要求")
    INCOMPLETE = "incomplete", _("照片中身份证上信息显示不完整")
    NO_PORTRAIT = "no_portrait", _("照片缺少身份证人像照照片")
    CANNOT_OPEN = "cannot_open", _("照片无法打开")
    NUMBER_MISMATCH = "number_mismatch", _("照片中身份证号与注册不一致")
    MIRRORED = "mirrored", _("照片中身份证信息为反向")
    OTHER = "other", _("其他原因")


def identity_image_path(instance, filename: str) -> str:
    # Generated names only: the upload's own name never reaches the disk.
    return f"identity/{instance.user_id}/{instance.token}-{filename}"


class IdentityRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The owner sees their own requests; identity reviewers see the queue."""
        if not user.is_authenticated:
            return self.none()
        if user.is_admin or user.role == Role.IDENTITY_REVIEWER:
            return self.all()
        return self.filter(user=user)


class IdentityRequest(models.Model):
    """A request to the identity reviewers (客服): hand-held ID photos for a duplicate ID
    number, a phone number held by another account, or a change of real name / ID number."""

    user = models.ForeignKey(
        User, verbose_name=_("申请账号"), on_delete=models.CASCADE, related_name="identity_requests"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=RequestKind.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=RequestState.choices, default=RequestState.PENDING
    )
    token = models.CharField(max_length=32, unique=True, editable=False)
    # The upload form's one-time key: a second sending of the same form (a double tap) is
    # the same request, never a second one counted against the five (issue 15).
    submission = models.CharField(max_length=32, blank=True, editable=False)
    front_image = models.FileField(_("手持身份证人像面"), upload_to=identity_image_path, blank=True)
    back_image = models.FileField(_("手持身份证国徽面"), upload_to=identity_image_path, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    requested_real_name = models.CharField(_("申请姓名"), max_length=50, blank=True)
    requested_id_type = models.CharField(
        _("申请证件类型"), max_length=20, choices=IdType.choices, blank=True
    )
    requested_id_number = models.CharField(_("申请证件号码"), max_length=30, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    reject_reason = models.CharField(
        _("审核失败原因"), max_length=20, choices=RejectReason.choices, blank=True
    )
    reject_note = models.CharField(_("审核说明"), max_length=300, blank=True)
    reviewer = models.ForeignKey(
        User,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_decisions",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建日期"), default=timezone.now, db_index=True)

    objects = IdentityRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("身份核验申请")
        verbose_name_plural = _("身份核验申请")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["state", "created_at"], name="identity_queue_idx")]
        constraints = [
            # One pending phone request and one pending real-name change per account
            # (docs/quality.md "Races": a constraint, not only the service's check).
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(
                    state=RequestState.PENDING,
                    kind__in=[RequestKind.PHONE, RequestKind.REAL_NAME],
                ),
                name="one_pending_request_of_a_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "submission"],
                condition=~models.Q(submission=""),
                name="one_request_per_submission",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.user}"


class AssistState(models.TextChoices):
    PENDING = "pending", _("等待同学确认")
    CONFIRMED = "confirmed", _("同学已确认")
    DECLINED = "declined", _("同学已拒绝")
    CLOSED = "closed", _("已关闭")


class ClassmateAssist(models.Model):
    """大学同班同学协助: a verified classmate confirms that the requester is who they say."""

    requester = models.ForeignKey(
        User, verbose_name=_("申请账号"), on_delete=models.CASCADE, related_name="assists_asked"
    )
    classmate = models.ForeignKey(
        User, verbose_name=_("同学"), on_delete=models.CASCADE, related_name="assists_received"
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=AssistState.choices, default=AssistState.PENDING
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("同班同学协助")
        verbose_name_plural = _("同班同学协助")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "classmate"],
                condition=Q(state="pending"),
                name="one_pending_assist_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.requester} ← {self.classmate}"


class ClaimRoute(models.TextChoices):
    FACTS = "facts", _("提供学籍或学历信息")
    CLASSMATE = "classmate", _("大学同班同学协助")
    ID_PHOTOS = "id_photos", _("客服协助验证（手持身份证照片）")
    PHONE = "phone", _("手机号归属申请")


class ClaimState(models.TextChoices):
    READY = "ready", _("等待期内")
    DISPUTED = "disputed", _("原账号提出异议，客服处理中")
    REVIEW = "review", _("待客服核实（工作人员账号或曾被驳回）")
    COMPLETED = "completed", _("已生效")
    CANCELLED = "cancelled", _("已撤销")


OPEN_CLAIM_STATES = (ClaimState.READY, ClaimState.DISPUTED, ClaimState.REVIEW)


class IdentityClaimQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Both parties see their claim; identity reviewers see every claim."""
        if not user.is_authenticated:
            return self.none()
        if user.is_admin or user.role == Role.IDENTITY_REVIEWER:
            return self.all()
        return self.filter(Q(claimant=user) | Q(holder=user))

    def open(self):
        return self.filter(state__in=OPEN_CLAIM_STATES)

    def for_reviewers(self):
        """What waits for the 客服: disputed claims and claims against staff accounts."""
        return self.filter(state__in=(ClaimState.DISPUTED, ClaimState.REVIEW))


class IdentityClaim(models.Model):
    """A passed check that would take something from another account: the ID number of
    an active holder (facts, classmate, hand-held photos) or a phone (the 客服 phone
    route). It takes effect only when the dispute window has passed without objection,
    or when the holder confirms it, or when a reviewer decides it (issue 11)."""

    claimant = models.ForeignKey(
        User, verbose_name=_("申领账号"), on_delete=models.CASCADE, related_name="claims_made"
    )
    holder = models.ForeignKey(
        User, verbose_name=_("原账号"), on_delete=models.CASCADE, related_name="claims_against"
    )
    route = models.CharField(_("途径"), max_length=12, choices=ClaimRoute.choices)
    state = models.CharField(
        _("状态"), max_length=12, choices=ClaimState.choices, default=ClaimState.READY
    )
    phone = models.CharField(_("申领手机号"), max_length=20, blank=True)
    request = models.ForeignKey(
        IdentityRequest,
        verbose_name=_("来源申请"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
    )
    ready_at = models.DateTimeField(_("核验通过时间"), default=timezone.now)
    takes_effect_at = models.DateTimeField(_("生效时间"), null=True, blank=True, db_index=True)
    objected_at = models.DateTimeField(_("提出异议时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims_decided",
    )
    outcome = models.CharField(_("处理说明"), max_length=300, blank=True)

    objects = IdentityClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("身份申领")
        verbose_name_plural = _("身份申领")
        ordering = ["ready_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claimant"],
                condition=Q(state__in=["ready", "disputed", "review"]) & ~Q(route="phone"),
                name="one_open_id_claim_per_claimant",
            ),
            models.UniqueConstraint(
                fields=["claimant"],
                condition=Q(state__in=["ready", "disputed", "review"]) & Q(route="phone"),
                name="one_open_phone_claim_per_claimant",
            ),
        ]
        indexes = [models.Index(fields=["state", "takes_effect_at"], name="claim_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_route_display()}：{self.claimant} → {self.holder}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_CLAIM_STATES

    @property
    def masked_phone(self) -> str:
        """The phone a phone-route claim asks for, as a notice may show it."""
        return mask_phone(self.phone)
