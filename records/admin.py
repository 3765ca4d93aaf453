"""The Django admin of the records. A record, a confirmation and a 有误 report change
only through the records services (audited, by the field rules, with the student told):
here they are read-only. A degree (学历), until it has an import of its own, is entered
here, read and checked by the same field rules (records.rules) and audited with before
and after."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.lib.admin import AccessAuditedAdmin
from portal.lib.audit import diff, log_action, snapshot
from records import models
from records.rules import DEGREE_RULES, Kind, between
from records.rules import read as read_value
from records.rules.values import RuleError


class ReadOnlyAdmin:
    """Viewable, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province")
    search_fields = ("code", "name")
    list_filter = ("province",)


@admin.register(models.College)
class CollegeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "institution")
    list_filter = ("institution",)
    search_fields = ("code", "name")


@admin.register(models.Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "college")
    list_filter = ("college__institution",)
    search_fields = ("name",)


@admin.register(models.Major)
class MajorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "duration", "institution")
    list_filter = ("level", "institution")
    search_fields = ("code", "name")


@admin.register(models.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "cohort", "college", "major", "monitor")
    list_filter = ("cohort", "college", "institution")
    search_fields = ("code", "name")
    autocomplete_fields = ("counselors", "monitor", "major", "college")
    list_select_related = ("college", "major", "monitor")


class MaskedIdMixin:
    @admin.display(description=_("证件号码"))
    def masked_id(self, obj):
        return obj.masked_id_number


@admin.register(models.EnrollmentRecord)
class EnrollmentRecordAdmin(ReadOnlyAdmin, AccessAuditedAdmin, MaskedIdMixin, admin.ModelAdmin):
    """Read-only: the registrar corrects a record on its page (修改学籍), audited."""

    list_display = (
        "student_number",
        "name",
        "masked_id",
        "college",
        "school_class",
        "status",
        "user",
    )
    list_filter = ("status", "level", "admission_year", "category", "study_form", "college")
    search_fields = ("student_number", "examinee_number", "name")  # never an ID number
    list_select_related = ("college", "school_class", "user")
    raw_id_fields = ("user", "school_class", "major", "college", "department", "institution")
    readonly_fields = ("bound_at", "first_viewed_at", "created_at", "updated_at")


class DegreeRecordForm(forms.ModelForm):
    """Typed fields are read by the field rules, as the import and the forms read them
    (the same spellings, the same messages); the rules between fields run on the whole."""

    reason = forms.CharField(
        label=_("修改原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = models.DegreeRecord
        fields = (
            "institution", "enrollment_record", "certificate_number", "school_number", "name",
            "sex", "birth_date", "id_type", "id_number", "major_name", "level", "category",
            "study_form", "entry_date", "graduation_date", "graduation_kind", "student_number",
            "user", "bound_at",
        )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, rule in DEGREE_RULES.items():
            if name in self.fields and rule.kind in (Kind.TEXT, Kind.DATE):
                old = self.fields[name]
                self.fields[name] = forms.CharField(
                    label=old.label, required=rule.required, help_text=old.help_text
                )
                if self.instance.pk:
                    self.initial[name] = rule.show(getattr(self.instance, name))

    def _read(self, name):
        try:
            return read_value(name, self.cleaned_data.get(name), DEGREE_RULES)
        except RuleError as exc:
            raise forms.ValidationError(exc.reason) from exc

    def clean(self):
        data = super().clean()
        for name, rule in DEGREE_RULES.items():
            if (
                name in self.fields
                and rule.kind in (Kind.TEXT, Kind.DATE)
                and name not in self.errors
            ):
                try:
                    data[name] = self._read(name)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        values = {n: v for n, v in data.items() if n in DEGREE_RULES and n not in self.errors}
        institution = data.get("institution")
        found = between.problems(values)
        found += between.certificate(values, institution.code if institution else "")
        for name, reason in between.by_field(found, values).items():
            self.add_error(name, reason)
        if "id_number" in values and "id_number" not in self.errors:
            data["id_number"] = values["id_number"]
        return data


@admin.register(models.DegreeRecord)
class DegreeRecordAdmin(AccessAuditedAdmin, MaskedIdMixin, admin.ModelAdmin):
    form = DegreeRecordForm

    list_display = (
        "certificate_number",
        "name",
        "masked_id",
        "institution",
        "level",
        "graduation_date",
    )
    list_filter = ("level", "category", "institution")
    search_fields = ("certificate_number", "school_number", "name")  # never an ID number
    raw_id_fields = ("user", "enrollment_record", "institution")

    def audit_students(self, obj) -> list:
        return [obj.enrollment_record if obj.enrollment_record_id else obj]

    def save_model(self, request, obj, form, change):
        names = [name for name in form.changed_data if name != "reason"]
        before = snapshot(models.DegreeRecord.objects.get(pk=obj.pk), names) if change else {}
        super().save_model(request, obj, form, change)
        log_action(
            obj,
            "records.degree_edited" if change else "records.degree_created",
            by=request.user,
            subject=obj.user,
            request=request,
            changes=diff(before, snapshot(obj, names)),
            reason=form.cleaned_data["reason"],
        )


@admin.register(models.RecordConfirmation)
class RecordConfirmationAdmin(ReadOnlyAdmin, AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("record", "degree", "user", "confirmed_at", "revoked_at")
    list_filter = ("revoked_at",)
    raw_id_fields = ("record", "degree", "user")

    def audit_students(self, obj) -> list:
        return [obj.subject]  # of a 学籍 or of a 学历


class DiscrepancyItemInline(ReadOnlyAdmin, admin.TabularInline):
    model = models.DiscrepancyItem
    extra = 0


@admin.register(models.DiscrepancyReport)
class DiscrepancyReportAdmin(ReadOnlyAdmin, AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("record", "degree", "state", "created_at", "reviewer", "decided_at")
    list_filter = ("state", "record__college")
    search_fields = ("record__student_number", "record__name", "degree__certificate_number")
    raw_id_fields = ("record", "degree", "user", "reviewer")
    inlines = [DiscrepancyItemInline]

    def audit_students(self, obj) -> list:
        return [obj.subject]  # of a 学籍 or of a 学历
