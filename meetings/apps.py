from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Cuộc họp"

    def ready(self) -> None:
        # Participants see the documents on their meeting's agenda: documents sits below
        # meetings and cannot import it, so meetings registers the grant.
        from documents.visibility import visibility_provider_register
        from meetings.selectors import documents_granted_by_meetings

        visibility_provider_register("meetings.participants", documents_granted_by_meetings)
