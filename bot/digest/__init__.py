"""A chat's digest, platform-neutral: what it has not seen, merged and ranked.

``builder.py``  choose, cluster, rank and cap; queue the rendered digest in the outbox
``cluster.py``  the same story from several outlets as one item
``text.py``     plain-text rendering (console, logs)
"""
