from django.db import migrations, models


def business_hides_powered_by(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    Plan.objects.filter(code="business").update(can_hide_powered_by=True)


class Migration(migrations.Migration):
    dependencies = [("billing", "0002_default_plans")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="can_hide_powered_by",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(business_hides_powered_by, migrations.RunPython.noop),
    ]
