"""bot/digest."""
