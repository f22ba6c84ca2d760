"""`rapport demo`: the fake Slack's workspace and the real bot, driven from a terminal or a script.

``session`` (DemoSession: the sandbox and one member's point of view), ``shell`` (the commands, with help and
tab completion), ``parsing`` (durations, times, menu options), ``render`` (Block Kit and mrkdwn as terminal text).
"""

from bot.sandbox.demo.parsing import DemoError
from bot.sandbox.demo.session import DemoSession
from bot.sandbox.demo.shell import DemoShell, main, run_script

__all__ = ["DemoError", "DemoSession", "DemoShell", "main", "run_script"]
