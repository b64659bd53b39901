"""The local playground: an in-process Bot API emulator and a chat page in the browser."""
