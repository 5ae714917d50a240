"""The one exception tree of tim3.

* Tim3Error
  + ConfigError
  + WalletError
  + RuntimeLimitError      (a message hit the memory cap or the instruction budget)
  + DevnetError
    x ProcessNotFound
    x MessageLimitReached
  + DataItemError          (a malformed or badly signed ANS-104 data item)
  + NodeError
  + ClientError
  + OperationError         (a process refused an operator or user operation, or never answered)
"""

from __future__ import annotations


class Tim3Error(Exception):
    """Base of every error a user of tim3 can cause."""


class ConfigError(Tim3Error):
    """A setting is missing or has a value tim3 cannot use."""


class WalletError(Tim3Error):
    """A wallet file or key cannot be read or used."""


class RuntimeLimitError(Tim3Error):
    """A message exceeded the process's memory cap or instruction budget."""


class DevnetError(Tim3Error):
    """The devnet cannot do what was asked."""


class ProcessNotFound(DevnetError):
    """No process with this id exists on the devnet."""

    def __init__(self, process_id: str) -> None:
        self.process_id = process_id
        super().__init__(
            f"Process '{process_id}' is not on this devnet. "
            "Check the id, or list processes with net.processes()."
        )


class MessageLimitReached(DevnetError):
    """One user message caused more messages than the devnet allows."""

    def __init__(self, message_id: str, limit: int, receipt: object = None) -> None:
        self.message_id = message_id
        self.limit = limit
        self.receipt = receipt
        super().__init__(
            f"Message '{message_id}' caused more than {limit} messages; delivery stopped. "
            "Two processes are probably answering each other forever."
        )


class DataItemError(Tim3Error):
    """An ANS-104 data item is malformed or its signature does not verify."""


class NodeError(Tim3Error):
    """The HTTP node cannot serve a request."""


class ClientError(Tim3Error):
    """An AO network answered with an error or could not be reached.

    `status` is the HTTP status the network answered (None when nothing answered); `url` is
    the address that was asked (None for an in-process network).
    """

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None) -> None:
        self.status = status
        self.url = url
        super().__init__(message)


class OperationError(Tim3Error):
    """A process answered an operation with an error, or not as expected."""
