"""Votes: the rules as pure arithmetic (``rules``, no database: the models build on it), the
quorum from the database (``quorum``), polls and ballots (``ballots``) and written consultations
(``consultations``, with their background tasks).

May import: ``meetings.models``, ``meetings.access``, accounts, audit. Never ``preparation``,
``live`` or ``minutes``: they call in here.
"""
