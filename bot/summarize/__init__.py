"""bot/summarize."""
