"""Before the meeting: creating it, the agenda tree and its documents, participants and their
replies, the Decree 30 invitation and its mail; the meeting list and page, and the organiser's
preparation page.

May import: ``meetings.models``, ``meetings.access``, accounts, documents, audit. Never
``voting``, ``live`` or ``minutes``: they read the agenda from here (``agenda.agenda_rows``).
"""
