"""Getting messages to chats: nothing is lost, nothing is sent faster than a platform allows.

``outbox.py``     the worker that sends stored outbox rows (retries, pauses, chat leases)
``replies.py``    the one policy for direct replies to commands (wait once, then the outbox)
``ratelimit.py``  one limiter per platform, shared by both
"""
