from django.apps import AppConfig


class AnalyticsPlatformConfig(AppConfig):
    """The cross-tenant side of analytics, in the public schema: each stat's fill state per
    client, every client's daily and hourly totals, and the one-row-per-client summary the staff
    overview sorts on. The tenant side (`analytics`) lives in each tenant's schema."""

    name = "analytics.platform"
    label = "analytics_platform"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from django.contrib import admin

        from analytics.platform.admin import ClientFiguresAdmin
        from analytics.platform.freshness import report
        from config.health import register_report
        from tenants.admin import extend_client_admin

        extend_client_admin(ClientFiguresAdmin)
        register_report("analytics", report)
        # The admin's home links the staff overview and revenue pages (unless a home of the
        # project's own is set already).
        if admin.site.index_template is None:
            admin.site.index_template = "admin/analytics/index.html"
