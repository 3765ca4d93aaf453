"""Photos (图像) of the records, their verification (图像校对) and who takes them."""

import mimetypes

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from records.codes import PROVINCES
from records.models import ScopedQuerySet

User = settings.AUTH_USER_MODEL


class PhotoKind(models.TextChoices):
    ADMISSION = "admission", _("录取照片")
    ENROLLMENT = "enrollment", _("学籍照片")
    DIPLOMA = "diploma", _("学历照片")


class PhotoState(models.TextChoices):
    UNVERIFIED = "unverified", _("尚未校对")
    CONFIRMED = "confirmed", _("正确")
    DISPUTED = "disputed", _("有误")


class PhotoBatchQuerySet(ScopedQuerySet):
    """Batches are the registrar's business: college staff, counselors and students see none."""

    institution_lookup = "institution"
    college_lookup = None


class PhotoBatch(models.Model):
    """One delivery of photos (a zip from the collection unit, or a single upload).

    `report` holds the counts per outcome ({"counts": {"added": 3, …}}); the entries
    themselves are PhotoBatchEntry rows."""

    institution = models.ForeignKey(
        "records.Institution", verbose_name=_("院校"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("照片类型"), max_length=12, choices=PhotoKind.choices)
    source = models.CharField(
        _("来源"), max_length=200, help_text=_("例如：新华社河南分社 2023 年采集")
    )
    uploaded_by = models.ForeignKey(
        User, verbose_name=_("上传人"), on_delete=models.PROTECT, null=True, blank=True
    )
    report = models.JSONField(_("导入结果"), default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = PhotoBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("照片批次")
        verbose_name_plural = _("照片批次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source}（{self.get_kind_display()}）"

    @property
    def counts(self) -> dict[str, int]:
        """Entries per outcome; batches written before the entries existed count as added."""
        counts = dict.fromkeys(EntryOutcome.values, 0)
        report = self.report or {}
        counts.update(report.get("counts") or {})
        if "counts" not in report and "imported" in report:
            counts[EntryOutcome.ADDED] = report["imported"]
        return counts


class EntryOutcome(models.TextChoices):
    ADDED = "added", _("新增")
    REPLACED = "replaced", _("替换")
    UNCHANGED = "unchanged", _("未变")
    UNMATCHED = "unmatched", _("未匹配")
    REJECTED = "rejected", _("拒收")
    SKIPPED = "skipped", _("跳过")


class PhotoBatchEntry(models.Model):
    """One file of a batch and what became of it: the import's report, row by row.

    The file name (an ID number, as the collection unit names photos) and the reason are
    stored with every ID number masked (imaging.names, imaging.batches): shown as stored."""

    batch = models.ForeignKey(
        PhotoBatch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="entries"
    )
    position = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("文件名"), max_length=255)
    outcome = models.CharField(_("结果"), max_length=12, choices=EntryOutcome.choices)
    reason = models.CharField(_("原因"), max_length=200, blank=True)
    record = models.ForeignKey(
        "records.EnrollmentRecord",
        verbose_name=_("学籍"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    photo = models.ForeignKey(
        "Photo",
        verbose_name=_("照片"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("批次文件")
        verbose_name_plural = _("批次文件")
        ordering = ["batch", "position"]
        indexes = [models.Index(fields=["batch", "outcome"], name="batch_entry_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.name}: {self.get_outcome_display()}"


class PhotoQuerySet(ScopedQuerySet):
    institution_lookup = "record__institution"
    college_lookup = "record__college"
    counselor_lookup = "record__school_class__counselors"
    student_lookup = "record__user"

    def current(self):
        return self.filter(is_current=True)


def photo_path(instance, filename: str) -> str:
    # Generated names only: never the delivered file name (it holds an ID number).
    return f"photos/{instance.kind}/{instance.token[:2]}/{instance.token}.jpg"


def thumbnail_path(instance, filename: str) -> str:
    return f"photos/{instance.kind}/{instance.token[:2]}/{instance.token}.thumb.jpg"


class Photo(models.Model):
    """A normalised JPEG of one record, in private storage. A new photo of the same kind
    replaces the current one; the old one is kept (is_current=False)."""

    record = models.ForeignKey(
        "records.EnrollmentRecord",
        verbose_name=_("学籍"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    kind = models.CharField(_("照片类型"), max_length=12, choices=PhotoKind.choices)
    token = models.CharField(max_length=32, unique=True, editable=False)
    image = models.FileField(_("照片"), upload_to=photo_path, max_length=200)
    thumbnail = models.FileField(_("缩略图"), upload_to=thumbnail_path, max_length=200)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    sha256 = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    batch = models.ForeignKey(
        PhotoBatch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="photos",
    )
    state = models.CharField(
        _("校对状态"), max_length=12, choices=PhotoState.choices, default=PhotoState.UNVERIFIED
    )
    is_current = models.BooleanField(_("当前照片"), default=True)
    created_at = models.DateTimeField(_("入库时间"), auto_now_add=True)
    # 有误 handled without a new photo here (re-collected at the collection unit, found
    # right after all): the registrar closes it with a reason the student reads.
    dispute_closed_at = models.DateTimeField(_("有误处理时间"), null=True, blank=True)
    dispute_closed_by = models.ForeignKey(
        User,
        verbose_name=_("有误处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dispute_close_reason = models.CharField(_("处理说明"), max_length=200, blank=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["record", "kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind"],
                condition=Q(is_current=True),
                name="one_current_photo_per_kind",
            )
        ]
        indexes = [
            # The photo dispute queue and its count on the registrar's home page: the few
            # open disputes, found without reading every photo (imaging.selectors).
            models.Index(
                fields=["created_at"],
                condition=Q(is_current=True, state="disputed", dispute_closed_at__isnull=True),
                name="photo_open_dispute_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def content_type(self) -> str:
        """The stored file's type, from its stored (generated) name."""
        guessed = mimetypes.guess_type(self.image.name or "")[0] or ""
        return guessed if guessed.startswith("image/") else "application/octet-stream"


class DisputeReason(models.TextChoices):
    NOT_ME = "not_me", _("不是本人照片")
    POOR_QUALITY = "poor_quality", _("照片质量差")
    OTHER = "other", _("其他")


class PhotoVerificationQuerySet(ScopedQuerySet):
    institution_lookup = "photo__record__institution"
    college_lookup = "photo__record__college"
    counselor_lookup = "photo__record__school_class__counselors"
    student_lookup = "photo__record__user"


class PhotoVerification(models.Model):
    """The student's 正确 / 有误 on one photo, with the optional quality rating (seed 004)."""

    photo = models.ForeignKey(
        Photo, verbose_name=_("照片"), on_delete=models.CASCADE, related_name="verifications"
    )
    user = models.ForeignKey(User, verbose_name=_("校对人"), on_delete=models.PROTECT)
    result = models.CharField(
        _("校对结果"),
        max_length=12,
        choices=[(PhotoState.CONFIRMED, _("正确")), (PhotoState.DISPUTED, _("有误"))],
    )
    reason = models.CharField(
        _("有误原因"), max_length=20, choices=DisputeReason.choices, blank=True
    )
    comment = models.CharField(_("说明"), max_length=500, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("照片质量评价"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("评价说明"), max_length=500, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("校对时间"), auto_now_add=True)

    objects = PhotoVerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("图像校对")
        verbose_name_plural = _("图像校对")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["photo"], name="one_verification_per_photo")]

    def __str__(self) -> str:
        return f"{self.photo} {self.get_result_display()}"


class CollectionUnit(models.Model):
    """各省市图像采集单位 (seed 003 gives 新华社河南分社 as an example)."""

    province = models.CharField(_("省份"), max_length=6, choices=PROVINCES)
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    phone = models.CharField(_("电话"), max_length=100)
    hours = models.CharField(_("办公时间"), max_length=100, blank=True)
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("图像采集单位")
        verbose_name_plural = _("图像采集单位")
        ordering = ["province", "name"]

    def __str__(self) -> str:
        return self.name
