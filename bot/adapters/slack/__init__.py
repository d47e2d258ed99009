"""bot/adapters/slack: slack-bolt in, Block Kit out. Nothing Slack-typed leaves this package."""

from bot.adapters.slack.adapter import EVENTS_PATH, SlackAdapter

__all__ = ["EVENTS_PATH", "SlackAdapter"]
