"""Signal receivers of the accounts app: caches that depend on people and memberships."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Membership, User
from accounts.selectors import colleagues_changed


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def _people_changed(update_fields: Any = None, **_kwargs: Any) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login", "password"}:
        return  # a login or a new password changes nobody's colleagues
    colleagues_changed()
