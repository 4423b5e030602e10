"""Subscriptions: a provider or coordinator saves a search of the request or offer list (its typed filters)
and is told of each new record that matches it, and everyone chooses how they hear of each kind of
notification (messages/preferences.py). `models.py` (SavedSearch, SubscriptionHit), `policy.py`,
`operations.py` (save, delete, `tell_subscribers`, the job queued after each commit that files, submits or
moves a request or an offer), `views.py` (the page of saved searches and notification settings)."""
