# A login belongs to its person: parents and staff records hold the school's contact address
# and link to a login (one per school) once the person accepted an invitation.

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


def copy_staff_email(apps, schema_editor):
    StaffMember = apps.get_model("schools", "StaffMember")
    for member in StaffMember.objects.select_related("user"):
        member.email = member.user.email
        member.save(update_fields=["email"])


class Migration(migrations.Migration):

    dependencies = [
        ('schools', '0004_import_memory'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='staffmember',
            name='email',
            field=models.EmailField(default='', max_length=254, verbose_name='e-mailadres'),
            preserve_default=False,
        ),
        migrations.RunPython(copy_staff_email, migrations.RunPython.noop),
        migrations.AddField(
            model_name='staffmember',
            name='invited_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='parent',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='parent_records', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='staffmember',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='staff_roles', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='parent',
            constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False)), fields=('school', 'user'), name='parent_login_once_per_school'),
        ),
        migrations.AddConstraint(
            model_name='staffmember',
            constraint=models.UniqueConstraint(models.F('school'), django.db.models.functions.text.Lower('email'), name='staff_email_unique_per_school'),
        ),
        migrations.AddConstraint(
            model_name='staffmember',
            constraint=models.UniqueConstraint(condition=models.Q(('user__isnull', False)), fields=('school', 'user'), name='staff_login_once_per_school'),
        ),
    ]
