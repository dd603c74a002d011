from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import schema  # noqa: F401  # registers the OpenAPI extension
        from accounts.admin_people import ClientPeopleAdmin
        from accounts.demo import create_members, create_staff
        from accounts.provisioning import create_owner
        from tenants.admin import extend_client_admin
        from tenants.demo import demo_steps
        from tenants.provision_steps import provision_steps

        provision_steps.register("accounts.owner", create_owner, order=20)
        demo_steps.register("accounts.staff", create_staff, order=10)
        demo_steps.register("accounts.members", create_members, order=20)
        extend_client_admin(ClientPeopleAdmin)
