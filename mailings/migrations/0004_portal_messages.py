import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    """Existing messages get their own public id, and mailing messages their school (the
    portal lists a parent's mail by its school)."""
    OutgoingMessage = apps.get_model("mailings", "OutgoingMessage")
    for message in OutgoingMessage.objects.filter(public_id__isnull=True).only("pk").iterator():
        OutgoingMessage.objects.filter(pk=message.pk).update(public_id=uuid.uuid4())
    Mailing = apps.get_model("mailings", "Mailing")
    for mailing in Mailing.objects.only("pk", "school_id").iterator():
        OutgoingMessage.objects.filter(mailing_id=mailing.pk, school__isnull=True).update(
            school_id=mailing.school_id
        )


class Migration(migrations.Migration):
    dependencies = [
        ("mailings", "0003_outbox_owner_secret_coalesce"),
        ("schools", "0005_identity"),
    ]

    operations = [
        migrations.AddField(
            model_name="outgoingmessage",
            name="public_id",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="outgoingmessage",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddIndex(
            model_name="outgoingmessage",
            index=models.Index(fields=["parent", "-created_at"], name="outbox_parent_newest"),
        ),
    ]
