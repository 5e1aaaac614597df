"""Old import path of ``signing.pades.appearances``, kept only for meetings/minutes_signing.py
until it imports ``signing.pades.appearances``."""

from signing.pades.appearances import (  # noqa: F401
    Placement,
    main_placement,
    seal_placement,
    signature_image_check,
)
