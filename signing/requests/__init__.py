"""Signing requests (trình ký): where the fields go (``fields``), step transitions
(``steps``), signing one step (``signing``), numbering after the main signature
(``numbering``), notices (``notices``), what they share (``base``) and the screens (``views``).
Creating, sending, viewing and cancelling a request are in ``signing.services``, the facade
other apps import from. Builds on ``signing.pades`` and ``signing.backends``."""
