"""Accounts (学信档案账号): the custom user, its identity state and its role."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from portal.lib import idnumbers


class IdType(models.TextChoices):
    """证件类型."""

    RESIDENT_ID = "resident_id", _("居民身份证")
    HKMO_TW_PERMIT = "hmt_permit", _("港澳台居民居住证")
    HKMO_PASS = "hkmo_pass", _("港澳居民来往内地通行证")
    TW_PASS = "tw_pass", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    FOREIGN_PERMIT = "foreign_permit", _("外国人永久居留身份证")


class AccountState(models.TextChoices):
    ACTIVE = "active", _("正常")
    PENDING = "pending", _("待身份核验")
    CANCELLED = "cancelled", _("已注销")


class Role(models.TextChoices):
    """What a person does in the portal. A class monitor (班长) is a student whose
    class names them as monitor; it is not a separate role."""

    STUDENT = "student", _("学生")
    COUNSELOR = "counselor", _("辅导员")
    COLLEGE = "college", _("学院")
    REGISTRAR = "registrar", _("教务处学籍科")
    IDENTITY_REVIEWER = "identity_reviewer", _("客服")
    ADMIN = "admin", _("系统管理员")


STAFF_ROLES = frozenset({Role.COUNSELOR, Role.COLLEGE, Role.REGISTRAR, Role.IDENTITY_REVIEWER})


def mask_phone(phone: str) -> str:
    """137****2222: what a notice may show of a phone number."""
    if not phone:
        return ""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) > 7 else "****"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, username: str, password: str | None = None, **fields) -> "User":
        user = self.model(username=username, **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(username, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A real-name account. Students register themselves; staff are created by admins.

    At most one *active* account holds an ID number, and at most one live (not
    cancelled) account holds a phone or an email: database constraints, not form checks.
    """

    username = models.CharField(_("用户名"), max_length=50, unique=True)
    real_name = models.CharField(_("姓名"), max_length=50, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("证件号码"), max_length=30, blank=True, db_index=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    state = models.CharField(
        _("账号状态"), max_length=12, choices=AccountState.choices, default=AccountState.ACTIVE
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STUDENT)
    title = models.CharField(
        _("职务"), max_length=50, blank=True, help_text=_("例如：学院领导、学籍科科长")
    )
    institution = models.ForeignKey(
        "records.Institution",
        verbose_name=_("所属院校"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("学籍科、学院和辅导员账号所属的院校"),
    )
    college = models.ForeignKey(
        "records.College",
        verbose_name=_("所属学院"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text=_("学院账号所属的分院"),
    )
    is_staff = models.BooleanField(_("可进入管理后台"), default=False)
    is_active = models.BooleanField(_("可登录"), default=True)
    date_joined = models.DateTimeField(_("注册时间"), default=timezone.now)
    identity_verified_at = models.DateTimeField(_("身份核验时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    # Raised by end_sessions(): every session signed with the old value stops
    # authenticating, on any session engine (the hash is checked on each request).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)
    # Set while a claim against this account is open (IdentityClaim): the banner of every
    # page reads it from the user row already loaded, so other people's pages cost nothing.
    claim_alert_at = models.DateTimeField(_("待处理申领"), null=True, blank=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="unique_username_ci"),
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=Q(state="active") & ~Q(id_number=""),
                name="one_active_account_per_id_number",
                violation_error_message=_("该证件号码已被注册"),
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(state="cancelled") & ~Q(phone=""),
                name="one_account_per_phone",
                violation_error_message=_("该手机号已被使用"),
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(state="cancelled") & ~Q(email=""),
                name="one_account_per_email",
                violation_error_message=_("该邮箱已被使用"),
            ),
        ]
        indexes = [models.Index(fields=["role", "state"])]

    def __str__(self) -> str:
        return f"{self.real_name or self.username}（{self.username}）"

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_admin(self) -> bool:
        """A system administrator (or a Django superuser): sees every institution."""
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_portal_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_staff_account(self) -> bool:
        """Counselor, college, registrar, reviewer, admin or Django staff: never cancelled
        by an identity claim."""
        return self.role != Role.STUDENT or self.is_staff or self.is_superuser

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return idnumbers.mask(self.id_number)

    def _get_session_auth_hash(self, secret=None):
        """Django's HMAC of the password hash, and of the session epoch once raised:
        sessions made before end_sessions() no longer authenticate. Epoch 0 gives
        Django's own value, so that no session ended when the field came."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "accounts.User.session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def end_sessions(self) -> None:
        """End every session of this account, on every device (an admin's reset of the
        second factor, an identity taken over). Atomic: concurrent calls both count."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])

    def get_full_name(self) -> str:
        return self.real_name or self.username

    def get_short_name(self) -> str:
        return self.real_name or self.username


class CodePurpose(models.TextChoices):
    """What a verification code proves; a code is good for its purpose only."""

    REGISTER = "register", _("注册")
    FIND_USERNAME = "find_username", _("找回用户名")
    RESET_PASSWORD = "reset_password", _("找回密码")
    CHANGE_PHONE = "change_phone", _("更换手机号")
    CHANGE_EMAIL = "change_email", _("更换邮箱")


class VerificationCode(models.Model):
    """A 6-digit code sent by SMS or e-mail: stored hashed, single use, 10 minutes,
    at most 5 wrong tries (docs/quality.md, ASVS V2.7)."""

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
            )
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
