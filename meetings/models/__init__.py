"""The meetings app's models (split by domain in the next step)."""

from meetings.models.meeting import *  # noqa: F403
