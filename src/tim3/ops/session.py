"""Session: an environment, a wallet and a network to act on, with the reads every job needs.

    with Session.open(environment("local"), wallet) as s:
        s.query(s.env.process("tim3"), "Get-Config")        # tags of the first reply
        s.send(pid, {"Action": "Set-Config"}, data, expect="Set-Config-Notice")

`local` runs the devnet from its data folder in this process, unless a `tim3 devnet` is
serving that folder (then its node is used over HTTP, so two programs never write one log).
Every other environment is reached over HTTP with the Python client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tim3.arweave import Wallet
from tim3.client import AoNetwork, HttpNetwork, LocalNetwork, Result, ResultMessage
from tim3.errors import ClientError, ConfigError, OperationError
from tim3.ops.environments import DEPLOYMENT_FILE, Environment, serving_node
from tim3.types import ProcessId, TagsLike, tag_list

__all__ = ["Progress", "Session", "quiet"]

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """A progress callback that shows nothing."""


@dataclass
class Session:
    """What an operation acts through: `env`, `network` (signed by `wallet`) and `progress`."""

    env: Environment
    network: AoNetwork
    progress: Progress = quiet
    poll_interval: float = 2.0
    poll_timeout: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    transport: httpx.BaseTransport | None = None   # for the gateway and scheduler reads; tests
    _names: dict[str, str] = field(default_factory=dict)

    @property
    def wallet(self) -> Wallet:
        return self.network.wallet

    @property
    def devnet(self) -> Any:
        """The in-process devnet when the network is one, else None."""
        return self.network.devnet if isinstance(self.network, LocalNetwork) else None

    @classmethod
    @contextmanager
    def open(cls, env: Environment, wallet: Wallet, progress: Progress = quiet,
             **options: Any) -> Iterator[Session]:
        """Connect to `env` as `wallet` for the length of the `with` block."""
        if env.is_local and env.data_dir is not None and serving_node(env.data_dir) is None:
            from tim3.ops.local import start_local

            if not (env.data_dir / DEPLOYMENT_FILE).is_file():
                raise ConfigError(
                    f"There is no local devnet in '{env.data_dir}'. Start one with 'tim3 devnet' "
                    "(or pass --data to point at another folder).")
            progress(f"Opening the local devnet in {env.data_dir}")
            local = start_local(env.data_dir, (), progress=progress)
            try:
                yield cls(env, LocalNetwork(local.devnet, wallet), progress, **options)
            finally:
                local.devnet.close()
            return
        network = HttpNetwork(env.mu_url, env.cu_url, env.gateway_url, wallet=wallet)
        try:
            yield cls(env, network, progress, **options)
        finally:
            network.close()

    # -- reads ---------------------------------------------------------------------------------

    def http(self) -> httpx.Client:
        """A client for the reads the AO client does not make (gateway records, schedules)."""
        return httpx.Client(timeout=30, transport=self.transport)

    def name(self, address: str) -> str:
        """A short label for an address: the environment role, 'you', or the address."""
        if not self._names:
            if self.env.is_local:
                from tim3.ops.local import DEFAULT_WALLETS, DEPLOYER

                for dev in (*DEFAULT_WALLETS, DEPLOYER):
                    self._names[Wallet.from_name(dev).address] = dev
            self._names.update({pid: role for role, pid in self.env.processes.items()})
            self._names[self.wallet.address] = "you"
        return self._names.get(address, address)

    def dry_run(self, process: ProcessId, tags: TagsLike, data: str = "",
                owner: str | None = None) -> Result:
        """A dry-run whose network failure is one sentence naming the process's role."""
        try:
            return self.network.dry_run(process, tags, data, owner=owner)
        except ClientError as exc:
            raise ClientError(f"Could not read process '{process}' ({self.name(process)}) on "
                              f"'{self.env.name}': {exc}") from exc

    def query(self, process: ProcessId, action: str, tags: TagsLike = None,
              owner: str | None = None) -> dict[str, str]:
        """The tags of the first reply to a read-only `action` (empty when nothing answers)."""
        all_tags = [("Action", action), *tag_list(tags)]
        result = self.dry_run(process, all_tags, owner=owner)
        if result.error:
            raise OperationError(f"Process '{process}' ({self.name(process)}) failed on "
                                 f"'{action}': {result.error.strip().splitlines()[-1]}")
        reply = _first_reply(result.messages)
        return dict(reply.tags) if reply is not None else {}

    def balance(self, token: ProcessId, address: str) -> int:
        """`address`'s balance at `token`, in base units."""
        tags = self.query(token, "Balance", {"Recipient": address})
        value = tags.get("Balance")
        if value is None or not value.isdigit():
            raise OperationError(f"Process '{token}' ({self.name(token)}) did not answer "
                                 f"Balance with a whole number (got {value!r}). Is it a token?")
        return int(value)

    # -- writes --------------------------------------------------------------------------------

    def send(self, process: ProcessId, tags: dict[str, str], data: str = "", *,
             expect: str | None = None, error: str | None = None) -> tuple[str, Result]:
        """Send a message and read its result; OperationError with the process's own words if
        the result is an error or an `error` reply, or lacks the `expect` reply."""
        action = tags.get("Action", "message")
        self.progress(f"Sending {action} to {self.name(process)} ({process})")
        try:
            mid = self.network.message(process, tags, data)
        except ClientError as exc:
            if exc.status != 404:
                raise
            role = self.name(process)
            which = f"'{process}' (the {role})" if role != process else f"'{process}'"
            raise OperationError(
                f"{action} could not be sent: the messenger of {self.env.name} answered 404 "
                f"for {which}, a process it does not know. Check the environment's ids and "
                f"its mu_url with 'tim3 env show {self.env.name}'."
            ) from exc
        self.progress(f"Waiting for the result of {mid}")
        result = self.network.result(process, mid)
        if result.error:
            raise OperationError(f"{action} to '{process}' failed in the process: "
                                 f"{result.error.strip().splitlines()[-1]} (message {mid}).")
        replies = {m.tags.get("Action"): m for m in result.messages}
        if error and error in replies:
            why = replies[error].tags.get("Error") or replies[error].data or "no reason given"
            raise OperationError(f"{action} was refused by {self.name(process)}: {why}")
        if expect and expect not in replies:
            got = ", ".join(a or "(no Action)" for a in replies) or "nothing"
            raise OperationError(f"{action} to '{process}' did not answer {expect} (it sent "
                                 f"{got}; message {mid}). Check that the id is the right "
                                 "process and that this wallet owns it.")
        return mid, result

    def wait_until(self, what: str, check: Callable[[], bool]) -> bool:
        """Call `check` until it is true (at once on a devnet) or the timeout passes."""
        deadline = time.monotonic() + self.poll_timeout
        while True:
            if check():
                return True
            if time.monotonic() > deadline:
                return False
            self.progress(f"Waiting for {what}")
            self.sleep(self.poll_interval)


def _first_reply(messages: list[ResultMessage]) -> ResultMessage | None:
    return messages[0] if messages else None
