"""newsbot: a self-hosted news-digest bot."""

__version__ = "0.1.0"
