from django.db import migrations

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "max_users": 10,
        "max_storage_mb": 1024,
        "max_upload_mb": 10,
        "monthly_price_cents": 0,
        "is_default": True,
    },
    {
        "code": "team",
        "name": "Team",
        "max_users": 100,
        "max_storage_mb": 51200,
        "max_upload_mb": 50,
        "monthly_price_cents": 4900,
        "is_default": False,
    },
    {
        "code": "business",
        "name": "Business",
        "max_users": None,
        "max_storage_mb": None,
        "max_upload_mb": 200,
        "monthly_price_cents": 19900,
        "is_default": False,
    },
]


def create_plans(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    for spec in PLANS:
        Plan.objects.update_or_create(code=spec["code"], defaults=spec)


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]
    operations = [migrations.RunPython(create_plans, migrations.RunPython.noop)]
