from django.db import migrations


class Migration(migrations.Migration):
    """A tenant's plan is its billing entitlement now (billing.Entitlement, copied over first)."""

    dependencies = [
        ("tenants", "0003_custom_domains"),
        ("billing", "0005_plans_and_accounts"),
    ]

    operations = [
        migrations.RemoveField(model_name="client", name="plan"),
    ]
