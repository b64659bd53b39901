"""The user's journey through the bot: profile and onboarding, settings, conversation log, events,
privacy rights, and the routing of free text. Pure domain code over `storage`; no Telegram."""
