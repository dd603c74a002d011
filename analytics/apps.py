from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from analytics.demo import seed_activity
        from tenants.demo import demo_steps

        # After chat's rooms (30) and the handbook (40), before billing recounts usage (90).
        demo_steps.register("analytics.history", seed_activity, order=60)
