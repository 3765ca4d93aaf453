"""The revision counter served the per-process notice cache (notices.published), gone."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notices", "0006_confirmation_and_report_links")]

    operations = [migrations.RemoveField(model_name="notice", name="revision")]
