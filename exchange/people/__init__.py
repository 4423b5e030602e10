"""People and organisations: accounts, sign-in (sessions, two-step codes, recent sign-in), API tokens,
administration."""
