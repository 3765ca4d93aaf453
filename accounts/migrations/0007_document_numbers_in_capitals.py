"""Passport and permit numbers in capitals (portal.lib.idnumbers.validate_for_type), so
that one document is one (type, number). A number whose capital form another live
account already holds is left as it is for the reviewers (it is a duplicate to settle,
not one to merge silently)."""

from django.db import migrations

RESIDENT_FORMAT_TYPES = ("resident_id", "hmt_permit")


def to_capitals(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    lower = User.objects.exclude(id_type__in=RESIDENT_FORMAT_TYPES).exclude(id_number="")
    for user in lower.iterator():
        upper = user.id_number.upper()
        if upper == user.id_number:
            continue
        taken = (
            User.objects.filter(id_type=user.id_type, id_number=upper)
            .exclude(state="cancelled")
            .exclude(pk=user.pk)
            .exists()
        )
        if not taken:
            User.objects.filter(pk=user.pk).update(id_number=upper)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_session_epoch")]

    operations = [migrations.RunPython(to_capitals, migrations.RunPython.noop)]
