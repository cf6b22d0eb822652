from django.db import migrations, models
from django.db.models import Q


def name_existing_rounds(apps, schema_editor):
    from django.utils import formats, translation

    ConferenceRound = apps.get_model("conferences", "ConferenceRound")
    with translation.override("nl"):
        for conference in ConferenceRound.objects.select_related("group"):
            month = formats.date_format(conference.start_date, "F")
            conference.name = f"Oudergesprekken {conference.group.name} {month}"
            conference.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("conferences", "0002_periods")]

    operations = [
        migrations.AddField(
            model_name="conferenceround",
            name="name",
            field=models.CharField(default="", max_length=120, verbose_name="naam"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="conferenceround",
            name="location",
            field=models.CharField(blank=True, max_length=300, verbose_name="plaats of videolink"),
        ),
        migrations.RunPython(name_existing_rounds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="conferenceround",
            constraint=models.CheckConstraint(
                condition=~Q(name=""), name="conference_round_has_name"
            ),
        ),
    ]
