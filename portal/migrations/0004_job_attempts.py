from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_throttle_counter"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="尝试次数"),
        ),
    ]
