"""bot/extract: HTML -> clean text and metadata (``bot.extract.html``).

Sentence splitting lives in ``bot.extract.sentences``.
"""
