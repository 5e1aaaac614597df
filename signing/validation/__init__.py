"""Signature validation: engine, report, time-limited runner, trust roots and outputs.

Public API: ``validate_pdf`` (bytes in, ``Report`` out, within the configured time limit),
``Report``/``Outcome`` and ``version_validate`` in ``signing.validation.services``.
"""
