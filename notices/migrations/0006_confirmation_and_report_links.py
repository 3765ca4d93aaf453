"""Which notice a 正确 or a 有误 was made under moves from records to notices: the link
tables, filled from records' notice columns (removed by records 0004), and back."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    """The notice of every confirmation and report that has one, as a link row."""
    RecordConfirmation = apps.get_model("records", "RecordConfirmation")
    DiscrepancyReport = apps.get_model("records", "DiscrepancyReport")
    ConfirmationNotice = apps.get_model("notices", "ConfirmationNotice")
    DiscrepancyNotice = apps.get_model("notices", "DiscrepancyNotice")
    confirmations = RecordConfirmation.objects.filter(notice__isnull=False)
    ConfirmationNotice.objects.bulk_create(
        ConfirmationNotice(confirmation_id=pk, notice_id=notice_id)
        for pk, notice_id in confirmations.values_list("pk", "notice_id").iterator()
    )
    reports = DiscrepancyReport.objects.filter(notice__isnull=False)
    DiscrepancyNotice.objects.bulk_create(
        DiscrepancyNotice(report_id=pk, notice_id=notice_id)
        for pk, notice_id in reports.values_list("pk", "notice_id").iterator()
    )


def copy_links_back(apps, schema_editor):
    """Each link back into the notice column of its confirmation or report."""
    RecordConfirmation = apps.get_model("records", "RecordConfirmation")
    DiscrepancyReport = apps.get_model("records", "DiscrepancyReport")
    ConfirmationNotice = apps.get_model("notices", "ConfirmationNotice")
    DiscrepancyNotice = apps.get_model("notices", "DiscrepancyNotice")
    for link in ConfirmationNotice.objects.order_by("pk").iterator():
        RecordConfirmation.objects.filter(pk=link.pk).update(notice_id=link.notice_id)
    for link in DiscrepancyNotice.objects.order_by("pk").iterator():
        DiscrepancyReport.objects.filter(pk=link.pk).update(notice_id=link.notice_id)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0005_mask_values_in_signed_sheets"),
        ("records", "0003_enrollment_leaving_date"),
    ]

    operations = [
        migrations.CreateModel(
            name="ConfirmationNotice",
            fields=[
                (
                    "confirmation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="notice_link",
                        serialize=False,
                        to="records.recordconfirmation",
                        verbose_name="学籍确认",
                    ),
                ),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="confirmation_links",
                        to="notices.notice",
                        verbose_name="通知",
                    ),
                ),
            ],
            options={
                "verbose_name": "学籍确认的通知",
                "verbose_name_plural": "学籍确认的通知",
            },
        ),
        migrations.CreateModel(
            name="DiscrepancyNotice",
            fields=[
                (
                    "report",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="notice_link",
                        serialize=False,
                        to="records.discrepancyreport",
                        verbose_name="学籍有误申请",
                    ),
                ),
                (
                    "notice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="report_links",
                        to="notices.notice",
                        verbose_name="通知",
                    ),
                ),
            ],
            options={
                "verbose_name": "有误申请的通知",
                "verbose_name_plural": "有误申请的通知",
            },
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
