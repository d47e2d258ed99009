"""bot/extract."""
