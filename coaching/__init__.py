"""Coaching: partner programmes, referrals and hand-over, nudges and their dispatch, survey."""
