"""The aos-compatible Lua runtime: one sandboxed Lua 5.3 VM per AO process."""

from tim3.runtime.vm import Evaluation, OutMessage, OutSpawn, ProcessVM

__all__ = ["Evaluation", "OutMessage", "OutSpawn", "ProcessVM"]
