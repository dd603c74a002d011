from django.apps import AppConfig


class AnalyticsPlatformConfig(AppConfig):
    """The cross-tenant side of analytics, in the public schema: each stat's fill state per
    client, every client's daily and hourly totals, and the one-row-per-client summary the staff
    overview sorts on. The tenant side (`analytics`) lives in each tenant's schema."""

    name = "analytics.platform"
    label = "analytics_platform"
    verbose_name = "Analytics"
