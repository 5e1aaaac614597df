"""People pickers on selects a template writes itself (the same script as accounts.widgets).

``<div class="kh-picker" {% people_picker_attrs people %}><select …></select></div>`` then
``{% people_picker_assets %}`` once: *people* are the ones the select offers (anything with a
``pk``), and the search may return no one else.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from accounts.widgets import picker_token

register = template.Library()


@register.simple_tag
def people_picker_attrs(people: Iterable[Any]) -> SafeString:
    return format_html(
        'data-people-picker data-search-url="{}" data-token="{}"',
        reverse("accounts:people_search"),
        picker_token(person.pk for person in people),
    )


@register.simple_tag
def people_picker_assets() -> SafeString:
    return format_html(
        '<link rel="stylesheet" href="{}"><script type="module" src="{}"></script>',
        static("css/people-picker.css"),
        static("js/people-picker.js"),
    )
