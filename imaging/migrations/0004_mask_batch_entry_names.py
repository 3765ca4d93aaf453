"""Batch entries written before names were stored masked: mask the ID numbers in their
file names and reasons (imaging.names), as the import now does."""

from django.db import migrations

from imaging.names import mask_numbers_in, masked_file_name

CHUNK = 1000


def mask_entries(apps, schema_editor):
    entry_model = apps.get_model("imaging", "PhotoBatchEntry")
    changed = []
    for entry in entry_model.objects.only("name", "reason").iterator(chunk_size=CHUNK):
        name, reason = masked_file_name(entry.name)[:255], mask_numbers_in(entry.reason)[:200]
        if (name, reason) != (entry.name, entry.reason):
            entry.name, entry.reason = name, reason
            changed.append(entry)
        if len(changed) >= CHUNK:
            entry_model.objects.bulk_update(changed, ["name", "reason"])
            changed = []
    entry_model.objects.bulk_update(changed, ["name", "reason"])


class Migration(migrations.Migration):
    dependencies = [("imaging", "0003_batch_entries_and_rating_time")]

    operations = [migrations.RunPython(mask_entries, migrations.RunPython.noop, elidable=True)]
