"""Account security: two-factor login, session expiry, logout everywhere, API tokens, CSV cells."""
