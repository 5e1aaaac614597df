"""During the meeting: the live transport (``hub``: sequence numbers, publish after commit, the
per-process fan-out), the socket (``consumers``), the chair's console (``services``), check-in
(``attendance``), the speaker queue (``speakers``), presenter mode (``presenter``), check-in QR
codes (``qr``), the snapshot and event payloads (``selectors``) and the HTTP endpoints
(``views``).

May import: ``meetings.models``, ``meetings.access``, ``meetings.preparation`` (the agenda),
``meetings.voting`` (polls, ballots, quorum), ``meetings.minutes`` (drafted when the meeting
closes), documents, audit. Nothing below it imports ``live``.
"""
