"""The partners' webhook secrets at rest: encrypted with Fernet (the `cryptography` package:
AES-128-CBC with an HMAC-SHA256 over it, so a changed or truncated value is detected) under the
deployment's key, `TREMPLIN_SECRETS_KEY`.

The key may list several keys, comma-separated: the first encrypts, any of them decrypts, so a
key can be rotated (put the new one first, save each programme's secret again, drop the old one).
A stored secret is `fernet:<token>`; `env:NAME` references and secrets stored in clear by an older
version are read as before (`kernel.partners.resolve_secret`).
"""

from __future__ import annotations

import binascii
import logging

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

SEALED = "fernet:"

log = logging.getLogger(__name__)


class SecretKeyError(ValueError):
    """The configured key is not a Fernet key."""


class SecretBox:
    """Seals and opens stored secrets with the deployment's key (none: sealing is refused)."""

    def __init__(self, keys: str = "") -> None:
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        try:
            self._fernet = MultiFernet([Fernet(part) for part in parts]) if parts else None
        except (ValueError, binascii.Error):
            raise SecretKeyError(
                "expected Fernet keys (32 bytes in URL-safe base64, 44 characters), "
                "comma-separated; make one with: python -c \"from cryptography.fernet import "
                'Fernet; print(Fernet.generate_key().decode())"'
            ) from None

    @property
    def can_seal(self) -> bool:
        """Whether a key is configured."""
        return self._fernet is not None

    def seal(self, secret: str) -> str:
        """The secret as the database keeps it. Raises SecretKeyError without a key."""
        if self._fernet is None:
            raise SecretKeyError("TREMPLIN_SECRETS_KEY is not set")
        return SEALED + self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str | None:
        """The secret inside a sealed value; None (and a log line) when no configured key
        opens it, so that nothing is signed with a wrong key."""
        if self._fernet is None:
            log.error("a webhook secret is encrypted but TREMPLIN_SECRETS_KEY is not set")
            return None
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED).encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            log.error("a webhook secret does not open with TREMPLIN_SECRETS_KEY")
            return None


def is_sealed(stored: str | None) -> bool:
    """Whether a stored secret is encrypted."""
    return bool(stored) and str(stored).startswith(SEALED)
