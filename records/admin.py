from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.admin import AccessAuditedAdmin
from records import models


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
class EnrollmentRecordAdmin(AccessAuditedAdmin, MaskedIdMixin, admin.ModelAdmin):
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


@admin.register(models.DegreeRecord)
class DegreeRecordAdmin(AccessAuditedAdmin, MaskedIdMixin, admin.ModelAdmin):
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


@admin.register(models.RecordConfirmation)
class RecordConfirmationAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("record", "user", "confirmed_at", "revoked_at")
    list_filter = ("revoked_at",)
    raw_id_fields = ("record", "user", "notice")

    def audit_students(self, obj) -> list:
        return [obj.record]


class DiscrepancyItemInline(admin.TabularInline):
    model = models.DiscrepancyItem
    extra = 0


@admin.register(models.DiscrepancyReport)
class DiscrepancyReportAdmin(AccessAuditedAdmin, admin.ModelAdmin):
    list_display = ("record", "state", "created_at", "reviewer", "decided_at")
    list_filter = ("state", "record__college")
    search_fields = ("record__student_number", "record__name")
    raw_id_fields = ("record", "user", "reviewer", "notice")
    inlines = [DiscrepancyItemInline]

    def audit_students(self, obj) -> list:
        return [obj.record]
