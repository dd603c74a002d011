from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self) -> None:
        from chat.demo import seed_conversations
        from chat.provisioning import create_general_room
        from tenants.demo import demo_steps
        from tenants.provision_steps import provision_steps

        provision_steps.register("chat.general", create_general_room, order=40)
        demo_steps.register("chat.conversations", seed_conversations, order=30)
