"""pyHanko is pinned to the minor version whose internals two modules reproduce; another
version must be a decision, checked against those modules, never a silent upgrade."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

from django.conf import settings

# The pyHanko minor version the patches were written against, and the patches themselves.
PATCHED_FOR = "0.38"
PATCHES = (
    "signing/pades/keys.py (ParsedKeySigner: pyHanko's CMS assembly, encoded once)",
    "signing/validation/hexstrings.py (pyHanko's hex-string reader, in one call)",
)
WHAT_TO_DO = (
    "Compare each with the new pyHanko (tests/signing/pades/test_keys.py compares the CMS with "
    "pyHanko's own, tests/signing/validation/test_hexstrings.py the reader), then move PATCHED_FOR "
    "here and the pin in pyproject.toml together."
)


def _minor(release: str) -> str:
    return ".".join(release.split(".")[:2])


def test_the_installed_pyhanko_is_the_version_the_patches_reproduce():
    installed = version("pyhanko")
    assert _minor(installed) == PATCHED_FOR, (
        f"pyHanko {installed} is installed, but these modules reproduce pyHanko "
        f"{PATCHED_FOR}'s internals: {'; '.join(PATCHES)}. {WHAT_TO_DO}"
    )


def test_pyproject_pins_pyhanko_to_that_minor_version():
    project = tomllib.loads((Path(settings.BASE_DIR) / "pyproject.toml").read_text("utf-8"))
    [requirement] = [d for d in project["project"]["dependencies"] if d.startswith("pyhanko[")]
    upper = f"{PATCHED_FOR.split('.')[0]}.{int(PATCHED_FOR.split('.')[1]) + 1}"
    assert requirement.endswith(f">={PATCHED_FOR},<{upper}"), (
        f"pyproject.toml asks for {requirement!r}: it must allow pyHanko {PATCHED_FOR}.x only "
        f"(>={PATCHED_FOR},<{upper}). {WHAT_TO_DO}"
    )
