"""The notice of a confirmation or a report is kept by notices now (notices 0006 copied
it into its link tables first)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0003_enrollment_leaving_date"),
        ("notices", "0006_confirmation_and_report_links"),
    ]

    operations = [
        migrations.RemoveField(model_name="discrepancyreport", name="notice"),
        migrations.RemoveField(model_name="recordconfirmation", name="notice"),
    ]
