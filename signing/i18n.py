"""``gettext`` for signing code that also runs outside a set-up Django process.

Bulk signing's worker processes (``bulk_pool``, started by ``forkserver``) and the validation
child import ``pades``, ``keys``, ``bulk`` and ``certcheck`` without ``django.setup()``; there
Django's ``gettext`` raises ``AppRegistryNotReady``. This one returns the Vietnamese source
text instead, and the web process translates a worker's message when it gets it back (a
message without parameters is its own message id: ``bulk_pool`` passes it through ``gettext``).

Imported under the name ``gettext`` so that ``makemessages`` extracts the calls.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import translation


def gettext(message: str) -> str:
    if not apps.ready:
        return message
    return translation.gettext(message)
