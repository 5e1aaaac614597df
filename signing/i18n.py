"""``gettext`` for signing code that also runs outside a set-up Django process.

Bulk signing's worker processes (``signing.bulk.pool``, started by ``forkserver``) import
``signing.pades``, ``signing.backends.pkcs12`` and ``signing.bulk``, and the validation child
``signing.pades.certcheck``, without ``django.setup()``; there Django's ``gettext`` raises
``AppRegistryNotReady``. This one returns the Vietnamese source text instead, and the web
process translates a worker's message when it gets it back (a message without parameters is
its own message id: ``bulk.pool`` passes it through ``gettext``).

Imported under the name ``gettext`` so that ``makemessages`` extracts the calls.
"""

from __future__ import annotations

from django.apps import apps
from django.utils import translation


def gettext(message: str) -> str:
    if not apps.ready:
        return message
    return translation.gettext(message)
