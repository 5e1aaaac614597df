"""Paperless meetings, one package per domain.

- ``models/``: every model, one module per domain, importable from ``meetings.models``;
- ``access.py``: who may see, prepare and run a meeting; the role checks; ``refuse``;
- ``preparation/``: the meeting, agenda, participants and replies, the Decree 30 invitation;
- ``voting/``: the rules (pure), the quorum, polls and ballots, written consultations;
- ``live/``: the meeting while it runs (socket, hub, console, check-in, speakers, presenter);
- ``minutes/``: the minutes, their signing and filing, vote sheets, the pack, statistics.

Imports run one way: models ← access ← preparation, voting ← minutes ← live. Each package's
``__init__`` says what it may import; ``voting/rules.py`` is pure and the models build on it.
``apps.py`` registers what the lower apps must learn from meetings (document visibility,
signing completed).
"""
