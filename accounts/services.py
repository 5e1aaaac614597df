"""Writes for people, bodies and memberships, each audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accounts.models import Body, BodyKind, Membership, Role, User, nfc
from audit.services import audit_record


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    full_name: str,
    password: str | None = None,
    position: str = "",
    phone: str = "",
    email: str = "",
    is_staff: bool = False,
) -> User:
    username = nfc(username)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {
                "username": gettext("Tên đăng nhập “%(username)s” đã tồn tại.")
                % {"username": username}
            }
        )
    user = User(
        username=username,
        full_name=nfc(full_name),
        position=nfc(position),
        phone=phone.strip(),
        email=email.strip(),
        is_staff=is_staff,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit_record(
        actor=actor,
        verb="user.created",
        target=user,
        details={"username": user.username, "full_name": user.full_name},
    )
    return user


@transaction.atomic
def body_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    symbol: str,
    kind: str = BodyKind.OTHER,
    parent: Body | None = None,
    total_members: int = 0,
    place_name: str = "",
) -> Body:
    body = Body(
        code=code.strip(),
        name=nfc(name),
        symbol=nfc(symbol),
        kind=kind,
        parent=parent,
        total_members=total_members,
        place_name=nfc(place_name),
    )
    body.full_clean()
    body.save()
    audit_record(
        actor=actor,
        verb="body.created",
        target=body,
        details={"code": body.code, "name": body.name, "parent": parent.code if parent else None},
    )
    return body


@transaction.atomic
def body_set_parent(*, actor: User | None, body: Body, parent: Body | None) -> Body:
    """Move *body* under *parent*; refuses to make a body its own ancestor."""
    old_parent = body.parent
    body.parent = parent
    body.full_clean()
    body.save(update_fields=["parent"])
    audit_record(
        actor=actor,
        verb="body.moved",
        target=body,
        details={
            "from": old_parent.code if old_parent else None,
            "to": parent.code if parent else None,
        },
    )
    return body


@transaction.atomic
def membership_set(*, actor: User | None, user: User, body: Body, role: str) -> Membership:
    """Give *user* the *role* in *body*, creating or changing the membership."""
    if role not in Role.values:
        raise ValidationError(
            {"role": gettext("Vai trò “%(role)s” không hợp lệ.") % {"role": role}}
        )
    membership, created = Membership.objects.get_or_create(
        user=user, body=body, defaults={"role": role}
    )
    if not created and membership.role == role:
        return membership
    previous = None if created else membership.role
    membership.role = role
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        verb="membership.set",
        target=membership,
        details={"user": user.username, "body": body.code, "role": role, "previous_role": previous},
    )
    return membership


def audit_admin_change(*, actor: User, target: Any, verb: str, changed: list[str]) -> None:
    """Record a change made through the admin screens."""
    audit_record(actor=actor, verb=verb, target=target, details={"changed": changed})


# --- Login events ----------------------------------------------------------------------------
# Throttling itself is django-axes' (accounts/throttle.py, settings "Login throttling"); these
# write what the audit trail keeps of each attempt. An attempt refused because the name is
# locked at that address is not written: refusing it must cost nothing, and axes logs it.


def login_failure_record(*, username: str, ip: str | None, locked_out: bool) -> None:
    """A wrong password; *locked_out* when this failure used up the user's last try."""
    audit_record(
        actor=None,
        verb="login.failed",
        object_type="auth.login",
        object_id=nfc(username)[:100],
        details={"ip": ip or "", "locked_out": locked_out},
    )


def login_success_record(*, user: User, ip: str | None) -> None:
    audit_record(actor=user, verb="login.succeeded", target=user, details={"ip": ip or ""})
