"""Whether the navigation offers the outgoing register: only to those who keep one (clerks)."""

from __future__ import annotations

from typing import Any

from django import template

from documents.register.selectors import register_bodies_for

register = template.Library()


@register.simple_tag
def register_visible(user: Any) -> bool:
    return register_bodies_for(user).exists()
