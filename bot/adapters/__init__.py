"""Chat platforms, each a translator implementing :class:`bot.ports.ChatPlatform`.

``telegram/``  python-telegram-bot: updates -> commands, digests -> HTML messages
``slack/``     slack-bolt / slack_sdk: events and slash commands -> commands, Block Kit out
``console.py`` prints to the terminal when no platform is configured

Only these packages import a chat SDK; decisions (who may manage a chat, how a
rate-limited reply is retried) are the core's.
"""
