"""The Telegram adapter (python-telegram-bot): handlers, keyboards, callback codec, sending.

The only package that imports `telegram`. It holds no business rules and no SQL: every update
becomes a call into the domain packages, whose `Outcome` it delivers.
"""

import os

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta), which our code
# already handles, instead of a deprecation warning on every 429.
os.environ.setdefault("PTB_TIMEDELTA", "true")
