from django.apps import AppConfig


class BrandingConfig(AppConfig):
    name = "branding"

    def ready(self) -> None:
        from branding.demo import seed_brand
        from branding.notices import mail_workspace_admins
        from branding.provisioning import create_default_brand
        from tenants.demo import demo_steps
        from tenants.notices import register_admin_mailer
        from tenants.provision_steps import provision_steps

        register_admin_mailer(mail_workspace_admins)
        provision_steps.register("branding.brand", create_default_brand, order=30)
        demo_steps.register("branding.acme", seed_brand, order=50)
