"""Forms of the accounts pages: input → validated data, no business rules."""

import secrets

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.devices import known_device
from accounts.errors import Throttled
from accounts.lookup import cancelled_account
from accounts.models import IdType
from accounts.services.codes import PHONE_RE, normalize_phone
from accounts.services.login_throttle import login_try
from portal.lib import idnumbers
from portal.lib.throttle import Limit, client_ip, wait_message

# What a cancelled account (accounts.services.identity: another account of the same ID
# number passed the identity check) reads at log-in, once its password was right.
CANCELLED_ACCOUNT = _(
    "该账号已注销：同一证件号码的另一账号已通过身份核验，原账号绑定的学籍已转入该账号。"
    "如另一账号是您本人的，请用它登录（可使用“找回用户名”“找回密码”）；"
    "如不是您本人的，请重新注册账号并勾选“我要重新注册”，按提示完成身份核验，"
    "或联系学校学籍管理部门。"
)


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名 / 手机号 / 邮箱 / 证件号码"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("账号或密码不正确。请检查后重试，或使用“找回密码”。"),
        "inactive": _("该账号已停用或已注销，请联系学校学籍管理部门。"),
    }

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return super().clean()  # nothing is checked: the fields say what is missing
        # Counted before the password is checked (accounts.services.login_throttle).
        try:
            attempt = login_try(
                identifier=username,
                ip=client_ip(self.request),
                device=known_device(self.request),
            )
        except Throttled as error:
            raise ValidationError(error.message, code="throttled") from None
        self.user_cache = authenticate(
            self.request, username=username, password=password, accounts=attempt.accounts
        )
        if self.user_cache is None:
            if cancelled_account(username, password) is not None:  # the try stays counted
                raise ValidationError(CANCELLED_ACCOUNT, code="cancelled")
            raise self.get_invalid_login_error()  # the try stays counted
        self.confirm_login_allowed(self.user_cache)
        attempt.succeeded(self.user_cache)
        return self.cleaned_data


class PasswordAgainForm(forms.Form):
    """The account's password once more before an act that cannot be undone (giving the
    account away to a claim): whoever finds her session open on a lab computer cannot.
    Tries are counted first, per account, like log-ins."""

    password = forms.CharField(
        label=_("登录密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    TRIES = Limit("password-again", max=5, window=15 * 60)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        password = self.cleaned_data["password"]
        wait = self.TRIES.attempt(f"user:{self.user.pk}")
        if wait:
            raise ValidationError(wait_message(wait), code="throttled")
        if not self.user.check_password(password):
            raise ValidationError(_("密码不正确，请重新输入。"), code="password")
        self.TRIES.undo(f"user:{self.user.pk}")
        return password


# Autofill and the phone's keyboard (WCAG 1.3.5): a new password is offered by the
# password manager, an SMS code is filled from the message, e-mail gets its keyboard.
NEW_PASSWORD_INPUT = forms.PasswordInput(attrs={"autocomplete": "new-password"})
EMAIL_INPUT = forms.EmailInput(attrs={"autocomplete": "email"})


class CodeField(forms.CharField):
    """验证码: the six digits sent by SMS or e-mail."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("验证码"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "autocomplete": "one-time-code",
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                }
            ),
        )
        super().__init__(**kwargs)


class IdNumberField(forms.CharField):
    """证件号码: normalised; a resident ID number is checked (GB 11643)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("证件号码"))
        kwargs.setdefault("max_length", 30)
        # No autofill token exists for an ID number; it is not a name or address either.
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return idnumbers.normalize(super().to_python(value))


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("手机号"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))

    def validate(self, value):
        super().validate(value)
        if value and not PHONE_RE.match(value):
            raise ValidationError(_("请输入正确的 11 位手机号码。"), code="phone")


class DocumentForm(forms.Form):
    """A form with id_type and id_number: the number is checked for its type (seed rules
    in portal.lib.idnumbers) and kept in its normal form."""

    def clean(self):
        data = super().clean()
        if data.get("id_number") and data.get("id_type"):
            try:
                data["id_number"] = idnumbers.validate_for_type(data["id_type"], data["id_number"])
            except ValidationError as error:
                self.add_error("id_number", error)
        return data


class RegistrationForm(DocumentForm):
    real_name = forms.CharField(
        label=_("姓名"),
        max_length=50,
        help_text=_("须与学籍信息一致"),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = IdNumberField(help_text=_("注册时必须使用真实的证件号码和姓名"))
    phone = PhoneField(required=False, help_text=_("手机号和邮箱至少填写一项，用于接收验证码"))
    email = forms.EmailField(label=_("邮箱"), required=False, widget=EMAIL_INPUT)
    code = CodeField()
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@\-]{4,30}$",
        error_messages={"invalid": _("用户名为 4–30 位字母、数字或 _ . - @")},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    password1 = forms.CharField(label=_("密码"), strip=False, widget=NEW_PASSWORD_INPUT)
    password2 = forms.CharField(label=_("确认密码"), strip=False, widget=NEW_PASSWORD_INPUT)
    accept_terms = forms.BooleanField(label=_("我已阅读并同意服务条款和个人信息处理规则"))
    reregister = forms.BooleanField(label=_("我要重新注册"), required=False)
    take_over_phone = forms.BooleanField(
        label=_("此手机号为本人所有，继续注册（原账号将解除该手机号）"), required=False
    )

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            self.add_error("phone", _("请填写手机号或邮箱，用于接收验证码。"))
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except ValidationError as error:
                self.add_error("password1", error)
        return data

    @property
    def destination(self) -> str:
        return self.cleaned_data.get("phone") or self.cleaned_data.get("email", "")


class ContactCodeForm(forms.Form):
    """A phone or e-mail and the code sent to it (找回用户名)."""

    destination = forms.CharField(
        label=_("手机号或邮箱"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    code = CodeField()


class PasswordResetForm(ContactCodeForm):
    password1 = forms.CharField(label=_("新密码"), strip=False, widget=NEW_PASSWORD_INPUT)
    password2 = forms.CharField(label=_("确认新密码"), strip=False, widget=NEW_PASSWORD_INPUT)

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"])
            except ValidationError as error:
                self.add_error("password1", error)
        return data


class UsernameChangeForm(forms.Form):
    username = RegistrationForm.base_fields["username"]


class PhoneChangeForm(forms.Form):
    """On the account page beside EmailChangeForm: its own ids (both have a `code`)."""

    phone = PhoneField(label=_("新手机号"))
    code = CodeField()
    take_over = forms.BooleanField(
        label=_("此手机号为本人所有，原使用该手机号的账号将解除绑定"), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "phone_change_%s")
        super().__init__(*args, **kwargs)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("新邮箱"), widget=EMAIL_INPUT)
    code = CodeField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "email_change_%s")
        super().__init__(*args, **kwargs)


class IdPhotosForm(forms.Form):
    # A one-time key per page: the same form sent twice (a double tap) is one request.
    submission = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)
    front = forms.FileField(
        label=_("手持身份证人像面照片"),
        help_text=_("仅支持 .jpg .jpeg .png .gif 格式，图片大小不超过 300K"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.gif"}),
    )
    back = forms.FileField(
        label=_("手持身份证国徽面照片"),
        help_text=_("仅支持 .jpg .jpeg .png .gif 格式，图片大小不超过 300K"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.gif"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission", secrets.token_hex(16))


class PhoneRequestForm(forms.Form):
    phone = PhoneField(label=_("需要使用的手机号"))
    front = forms.FileField(
        label=_("本人手持证件照片"),
        help_text=_("仅支持 .jpg .jpeg .png .gif 格式，图片大小不超过 300K"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.gif"}),
    )


class RealNameChangeForm(DocumentForm):
    real_name = forms.CharField(label=_("正确的姓名"), max_length=50)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = IdNumberField(label=_("正确的证件号码"))
    scan = forms.FileField(
        label=_("身份证扫描件或照片"),
        help_text=_("仅支持 .jpg .jpeg .png .gif 格式，图片大小不超过 300K"),
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png,.gif"}),
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False, widget=forms.Textarea)


class ReviewDecisionForm(forms.Form):
    # No option chosen beforehand: submitting without a choice must not approve.
    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[("", _("请选择")), ("approve", _("通过")), ("reject", _("审核失败"))],
        error_messages={"required": _("请选择审核结果。")},
    )
    reason = forms.ChoiceField(label=_("审核失败原因"), required=False)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        from accounts.models import RejectReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—")] + list(RejectReason.choices)

    def clean(self):
        data = super().clean()
        rejected = data.get("decision") == "reject"
        if rejected and not data.get("reason"):
            self.add_error("reason", _("请选择审核失败的原因。"))
        elif rejected and data["reason"] == "other" and "note" in data and not data["note"]:
            # The student must learn what to do: "其他原因" alone does not say it.
            self.add_error("note", _("选择“其他原因”时，请填写说明，告诉学生需要怎样重新提交。"))
        return data


class ClaimDecisionForm(forms.Form):
    """The reviewers' decision on a disputed identity claim (or one against staff)."""

    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            ("", _("请选择")),
            ("approve", _("通过：申领生效")),
            ("reject", _("驳回：原账号保持不变")),
        ],
        error_messages={"required": _("请选择处理结果。")},
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("驳回时请填写说明，告诉申领人下一步怎么做。"))
        return data
