"""bot/sources."""
