from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.services import second_factor
from accounts.services.login_throttle import login_unlock
from portal.lib.admin import AccessAuditedAdmin
from portal.lib.throttle import client_ip

# Devices change only through the audited services (enrol, reset): no raw device pages,
# where a deletion would leave no trace and a TOTP key could be read.
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "role")


@admin.register(User)
class UserAdmin(AccessAuditedAdmin, BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    list_display = (
        "username",
        "real_name",
        "role",
        "state",
        "masked_id_number",
        "phone",
        "date_joined",
    )
    list_filter = ("role", "state", "is_staff", "institution")
    search_fields = ("username", "real_name", "phone", "email")  # never an ID number
    ordering = ("-date_joined",)
    actions = ("reset_second_factor", "unlock_login")
    autocomplete_fields = ("institution", "college")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("实名信息"), {"fields": ("real_name", "id_type", "id_number", "phone", "email")}),
        (_("角色与范围"), {"fields": ("role", "title", "institution", "college", "state")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("时间"),
            {"fields": ("last_login", "date_joined", "identity_verified_at", "cancelled_at")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "real_name", "role", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("证件号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.action(description=_("重置两步验证（手机丢失或更换时）"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """Removes the chosen accounts' TOTP devices and recovery codes: audited, and
        told to each person; their next log-in enrols again."""
        done = sum(
            second_factor.second_factor_reset(user=user, by=request.user, ip=client_ip(request))
            for user in queryset
        )
        self.message_user(
            request,
            ngettext(
                "已重置 %(count)d 个账号的两步验证，并已通知本人。",
                "已重置 %(count)d 个账号的两步验证，并已通知本人。",
                done,
            )
            % {"count": done},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("解除登录限制（密码错误次数过多后的等待）"), permissions=["change"])
    def unlock_login(self, request, queryset):
        users = list(queryset)
        for user in users:
            login_unlock(user=user, by=request.user, ip=client_ip(request))
        self.message_user(
            request, _("已解除 %(n)d 个账号的登录限制。") % {"n": len(users)}, messages.SUCCESS
        )
