"""Forms of the imaging pages: input → validated data, no business rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from imaging.models import DisputeReason, PhotoKind
from portal.lib.forms import NUL_ERRORS

ZIP_TYPES = ".zip,application/zip,application/x-zip-compressed"
IMAGE_TYPES = ".jpg,.jpeg,.png,.gif,.bmp,image/jpeg,image/png,image/gif,image/bmp"
MAX_ARCHIVE_BYTES = 2 * 1024**3


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("有误原因"), choices=DisputeReason.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("选择“其他”时必填，例如：照片模糊、背景颜色不对。"),
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == DisputeReason.OTHER and not data.get("comment", "").strip():
            self.add_error("comment", _("选择“其他”时，请说明照片有什么问题。"))
        return data


RATINGS = [
    (5, _("5 分：很好")),
    (4, _("4 分：较好")),
    (3, _("3 分：一般")),
    (2, _("2 分：较差")),
    (1, _("1 分：很差")),
]


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("照片质量"), choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("评价说明（可不填）"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class KindField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(label=_("照片类型"), choices=PhotoKind.choices, **kwargs)


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("照片压缩包（.zip）"),
        help_text=_("文件名为证件号码或考生号，如 360102200401011234.jpg；可以有多层文件夹。"),
        widget=forms.ClearableFileInput(attrs={"accept": ZIP_TYPES}),
        error_messages={"empty": _("文件是空的（0 字节），请重新选择压缩包。")},
    )
    kind = KindField()
    source = forms.CharField(
        label=_("来源"),
        max_length=200,
        initial=_("新华社"),
        help_text=_("例如：新华社河南分社 2023 年采集"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        # The size is known before the content is read (docs/security.md: uploads).
        if upload.size > MAX_ARCHIVE_BYTES:
            raise forms.ValidationError(
                _("压缩包超过 %(gb)d GB，请分批上传。") % {"gb": MAX_ARCHIVE_BYTES // 1024**3}
            )
        upload.seek(0)
        magic = upload.read(4)
        upload.seek(0)
        if magic not in (b"PK\x03\x04", b"PK\x05\x06"):  # by content, never by name
            raise forms.ValidationError(
                _("文件不是 zip 压缩包。请把照片打包为 .zip（不要用 .rar 或 .7z）后重新上传。")
            )
        return upload


class PhotoUploadForm(forms.Form):
    kind = KindField()
    file = forms.FileField(
        label=_("照片"),
        help_text=_(
            "JPEG、PNG、GIF 或 BMP，不超过 10 MB；上传后会替换当前照片，校对状态重置为“尚未校对”。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_TYPES}),
        error_messages={"empty": _("文件是空的（0 字节），请重新选择照片。")},
    )


class OverviewFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("照片类型"), choices=PhotoKind.choices, required=False, initial=PhotoKind.ENROLLMENT
    )


class DisputeCloseForm(forms.Form):
    """Closing a 有误 without a new photo: the reason the student will read. Whether it
    is given and how long it may be is the service's rule (photo_dispute_close); the
    form only refuses what the database cannot take."""

    reason = forms.CharField(
        label=_("处理说明"),
        required=False,
        error_messages=NUL_ERRORS,
        widget=forms.TextInput(
            attrs={
                "maxlength": 200,
                "placeholder": _("例如：已在图像采集点重新采集，新照片随下一批导入"),
            }
        ),
    )
