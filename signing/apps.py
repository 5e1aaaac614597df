from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = "Ký số"

    def ready(self) -> None:
        # Incoming documents are validated when registered, and their verdict shows in the
        # documents app's tables, through its hooks (documents never imports signing); the ways
        # into trình ký (the "Trình ký" buttons) come the same way.
        from signing.requests import entry
        from signing.validation import incoming

        incoming.register()
        entry.register()
