"""Votes: the rules as pure arithmetic (``rules``), the quorum from the database (``quorum``),
polls and ballots (``ballots``) and written consultations (``consultations``).

May import: ``meetings.models``, ``meetings.access``, accounts, audit. Never ``live`` or
``minutes``: they call in here.
"""
