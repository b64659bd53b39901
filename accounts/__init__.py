"""Console accounts: who may sign in to the web console, with which role and programme; password
hashing, sign-in throttling, and the audit log of what they did.

Below `coaching/` and `console/` (it needs only `storage/`), so every domain service that takes the
signed-in account can check its scope without an upward import.
"""
