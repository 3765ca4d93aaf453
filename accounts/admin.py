from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services.login_throttle import login_unlock


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "real_name", "role")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
    search_fields = ("username", "real_name", "phone", "email", "id_number")
    ordering = ("-date_joined",)
    actions = ("unlock_login",)
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

    @admin.action(description=_("解除登录限制（密码错误次数过多后的等待）"), permissions=["change"])
    def unlock_login(self, request, queryset):
        users = list(queryset)
        for user in users:
            login_unlock(user=user, by=request.user, request=request)
        self.message_user(
            request, _("已解除 %(n)d 个账号的登录限制。") % {"n": len(users)}, messages.SUCCESS
        )
