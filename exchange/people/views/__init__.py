"""People's pages: sign-in and account, two-step sign-in, recent sign-in, API tokens, administration."""
