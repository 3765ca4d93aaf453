"""The account (学信档案账号): the custom user, its identity state and its role."""

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
