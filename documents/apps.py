from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"

    def ready(self) -> None:
        from chat.attachments import register
        from documents.attachments import DocumentAttachments
        from documents.demo_handbook import seed_handbook
        from tenants.demo import demo_steps

        # Chat never imports documents: messages carry documents through chat.attachments.
        register(DocumentAttachments())
        demo_steps.register("documents.handbook", seed_handbook, order=40)
