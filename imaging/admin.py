from django.contrib import admin

from imaging import models


@admin.register(models.Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ("record", "kind", "state", "is_current", "created_at")
    list_filter = ("kind", "state", "is_current")
    search_fields = ("record__student_number", "record__name")
    raw_id_fields = ("record", "batch")
    exclude = ("image", "thumbnail")
    readonly_fields = ("token", "width", "height", "sha256")


@admin.register(models.PhotoBatch)
class PhotoBatchAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "institution", "uploaded_by", "created_at")
    list_filter = ("kind", "institution")


@admin.register(models.PhotoVerification)
class PhotoVerificationAdmin(admin.ModelAdmin):
    list_display = ("photo", "result", "reason", "rating", "created_at")
    list_filter = ("result", "reason", "rating")
    raw_id_fields = ("photo", "user")


@admin.register(models.CollectionUnit)
class CollectionUnitAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "phone")
    list_filter = ("province",)
    search_fields = ("name", "address")
