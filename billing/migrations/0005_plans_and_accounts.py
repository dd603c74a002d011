"""The four plans with their prices and entitlements, and an entitlement and usage row for
every tenant made before billing kept them (its plan, counted seats and storage)."""

from django.db import migrations
from django.utils import timezone

PLANS = [
    {
        "code": "free",
        "name": "Free",
        "tagline": "For small teams trying things out",
        "position": 0,
        "is_public": True,
        "is_default": True,
        "monthly_price_cents": 0,
        "yearly_price_cents": 0,
        "trial_days": 0,
        "max_users": 10,
        "max_storage_mb": 1024,
        "max_upload_mb": 10,
        "max_pages_per_month": 500,
        "max_custom_domains": 0,
        "can_hide_powered_by": False,
        "api_requests_per_minute": 300,
    },
    {
        "code": "team",
        "name": "Team",
        "tagline": "For growing teams that share documents every day",
        "position": 1,
        "is_public": True,
        "is_default": False,
        "monthly_price_cents": 800,
        "yearly_price_cents": 8000,
        "trial_days": 14,
        "max_users": 100,
        "max_storage_mb": 51200,
        "max_upload_mb": 50,
        "max_pages_per_month": 10000,
        "max_custom_domains": 1,
        "can_hide_powered_by": False,
        "api_requests_per_minute": 1200,
    },
    {
        "code": "business",
        "name": "Business",
        "tagline": "Your brand, your domains, no limits on people",
        "position": 2,
        "is_public": True,
        "is_default": False,
        "monthly_price_cents": 1500,
        "yearly_price_cents": 15000,
        "trial_days": 14,
        "max_users": None,
        "max_storage_mb": None,
        "max_upload_mb": 200,
        "max_pages_per_month": 100000,
        "max_custom_domains": 5,
        "can_hide_powered_by": True,
        "api_requests_per_minute": 6000,
    },
    {
        "code": "enterprise",
        "name": "Enterprise",
        "tagline": "Unlimited everything, metered messages, a contract of your own",
        "position": 3,
        "is_public": False,
        "is_default": False,
        "monthly_price_cents": 2500,
        "yearly_price_cents": 25000,
        "trial_days": 0,
        "max_users": None,
        "max_storage_mb": None,
        "max_upload_mb": 500,
        "max_pages_per_month": None,
        "max_custom_domains": 20,
        "can_hide_powered_by": True,
        "api_requests_per_minute": None,
        "meter_event_name": "chat_messages",
    },
]


def _count(cursor, sql):
    try:
        cursor.execute(sql)
    except Exception:  # a schema without the table (the template's tables exist; be safe)
        return 0
    return int(cursor.fetchone()[0] or 0)


def forwards(apps, schema_editor):
    if schema_editor.connection.schema_name != "public":
        return
    Plan = apps.get_model("billing", "Plan")
    Client = apps.get_model("tenants", "Client")
    Entitlement = apps.get_model("billing", "Entitlement")
    Usage = apps.get_model("billing", "Usage")
    for spec in PLANS:
        Plan.objects.update_or_create(code=spec["code"], defaults=spec)
    month = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    connection = schema_editor.connection
    for client in Client.objects.exclude(schema_name="public"):
        plan = Plan.objects.get(pk=client.plan_id)
        free = plan.monthly_price_cents == 0 and plan.yearly_price_cents == 0
        Entitlement.objects.get_or_create(
            client=client,
            defaults={"plan": plan, "status": "free" if free else "active", "is_comped": not free},
        )
        schema = connection.ops.quote_name(client.schema_name)
        with connection.cursor() as cursor:
            cursor.execute("SAVEPOINT billing_count")
            seats = _count(cursor, f"SELECT count(*) FROM {schema}.accounts_user WHERE is_active")  # noqa: S608  # nosec B608
            storage = _count(cursor, f"SELECT coalesce(sum(size), 0) FROM {schema}.documents_document")  # noqa: S608  # nosec B608
            cursor.execute("ROLLBACK TO SAVEPOINT billing_count")
        Usage.objects.get_or_create(
            client=client, defaults={"seats": seats, "storage_bytes": storage, "period_start": month}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_billing_entitlements"),
        ("tenants", "0003_custom_domains"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
