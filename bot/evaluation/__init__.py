"""Offline evaluation of the summarization engines (``newsbot eval ...``)."""
