from typing import Any

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Cuộc họp"

    def ready(self) -> None:
        # Participants see the documents on their meeting's agenda: documents sits below
        # meetings and cannot import it, so meetings registers the grant.
        from documents.visibility import visibility_provider_register
        from meetings.access import documents_granted_by_meetings

        visibility_provider_register("meetings.participants", documents_granted_by_meetings)

        # Minutes: signing never imports meetings, so meetings learns that a minutes
        # request completed from the documents app's "version added" hook and files the record.
        from documents.hooks import version_added_register

        version_added_register("meetings.minutes_signed", _minutes_signed)


def _minutes_signed(**kwargs: Any) -> None:
    # Imported at the first new version, not at start-up: the minutes bring WeasyPrint and
    # pyHanko, about a second of every process's start (the task worker's too).
    from meetings.minutes.signing import signing_completed

    signing_completed(**kwargs)
