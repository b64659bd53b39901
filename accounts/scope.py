"""The one answer for anything outside the signed-in account's scope."""

from __future__ import annotations


class NotFound(LookupError):
    """The thing does not exist for this account: unknown, another programme's, not consented,
    consent withdrawn, or a page the role may not see. The console answers 404 to all alike, so
    guessing addresses tells nothing."""
