"""Constants and descriptions shared by the key-backend tests (fixtures in conftest.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from signing import devpki
from signing.backends.pkcs11 import Pkcs11KeyBackend, Pkcs11Location

# The SoftHSM2 token of the test session.
MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "kyhop-test"
PIN = "246810"
SO_PIN = "13579135"

# The CSC dummy service's "multisign" limit: hashes one authorisation may cover.
MULTISIGN = 4


@dataclass(frozen=True)
class Token:
    locations: dict[str, Pkcs11Location]

    def backend(self) -> Pkcs11KeyBackend:
        return Pkcs11KeyBackend(self.locations.__getitem__)


@dataclass
class CscService:
    url: str
    calls: Counter

    def credential(self, label: str) -> str:
        return f"{devpki.ARCH}/{label}"
