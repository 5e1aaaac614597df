"""Old import path of ``signing.backends.identities``, kept only for meetings/minutes_signing.py
until it imports ``signing.backends.identities``."""

from signing.backends.identities import identity_for_user  # noqa: F401
