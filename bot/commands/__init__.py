"""The core's inbound side: what happens to a command from any chat platform.

``inbound.py``   :class:`~bot.commands.inbound.Inbound`, what platforms hand updates to
``access.py``    who may manage a chat, channel targeting, joining before subscribing
``handlers.py``  every command and every text users see (:class:`CoreCommands`)
``registry.py``  the table of commands (help, platform menus, which ones manage a chat)
"""
