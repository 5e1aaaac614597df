"""After the meeting: the minutes drafted from what happened (``draft``), their signing, filing
and archiving (``signing``), vote sheets, the meeting pack (``pack``), statistics (``stats``)
and the server-side charts they print (``charts``).

May import: ``meetings.models``, ``meetings.access``, ``meetings.preparation`` (agenda numbers,
Decree 30 wording), ``meetings.voting`` (the quorum), signing, documents, accounts, audit.
Never ``live``: the live console calls in here when the meeting closes.
"""
