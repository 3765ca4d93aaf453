from django.contrib import admin

from notices import models


class AudienceInline(admin.TabularInline):
    model = models.NoticeAudience
    extra = 0


@admin.register(models.Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "institution", "task", "state", "window_end")
    list_filter = ("state", "task", "institution")
    search_fields = ("number", "title")
    inlines = [AudienceInline]
    raw_id_fields = ("created_by",)


@admin.register(models.FeedbackSheet)
class FeedbackSheetAdmin(admin.ModelAdmin):
    list_display = ("notice", "school_class", "counselor_signed_at", "leader_signed_at")
    raw_id_fields = ("notice", "school_class", "counselor_signed_by", "leader_signed_by")
