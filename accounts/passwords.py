"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
# Verified against when the account is unknown, so a wrong address takes as long as a wrong
# password and the answer time does not tell which addresses have accounts.
_DUMMY_HASH = _HASHER.hash("tremplin-no-such-account")

MIN_LENGTH = 10
MAX_LENGTH = 200


class PasswordError(ValueError):
    """A new password is not acceptable; the message says why."""


def check_new_password(password: str) -> str:
    """The password if it can be used, else PasswordError."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(f"the password must have at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordError(f"the password must have at most {MAX_LENGTH} characters")
    if password.strip() != password:
        raise PasswordError("the password must not start or end with a space")
    return password


def generate_password() -> str:
    """A random password to print once (about 96 bits)."""
    return secrets.token_urlsafe(12)


def hash_password(password: str) -> str:
    """The Argon2id hash of a password (with its own salt and parameters)."""
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; None (no such account) is checked against a dummy hash."""
    try:
        return _HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)
