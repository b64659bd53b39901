"""The three coaching nudges sent after a career is saved.

- `plan`: starting a sequence (steps, variants, hold-out) and the career it speaks of;
- `timing`: the user's local time, quiet hours, the daily cap, plan prompt times;
- `content`: a nudge's text and buttons from the `nudges.*` templates;
- `outbox`: the SQL of the outbox (claim, settle, release, cancel, recover);
- `dispatcher`: sending due nudges at most once, within the shared rate budget;
- `scheduler`: the APScheduler jobs that run the dispatcher in the bot process;
- `flows`: the hooks into the journey and the nudges' buttons.
"""
