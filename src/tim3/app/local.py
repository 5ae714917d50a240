"""`LocalChain`: the gateway over an in-process devnet (what `tim3 devnet` serves).

The server signs for the dev wallets (their keys are public knowledge), every call holds one
lock shared with the HTTP node (the devnet is single-threaded), and a flow is the devnet's exact
causal trace.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from tim3.app.chain import Chain, Record, Token
from tim3.app.errors import BadInput, NotFound
from tim3.app.swap import PROTOCOL_TAGS
from tim3.arweave import DataItem, Wallet
from tim3.client import LocalNetwork, Result
from tim3.devnet import MODULE_ID, Devnet, Message
from tim3.errors import DataItemError, DevnetError, MessageLimitReached
from tim3.ops import LocalNet
from tim3.ops.environments import Environment, role_of
from tim3.types import TagsLike, tag_list

__all__ = ["LocalChain", "check_item"]

DEFAULT_DENOMINATION = 12


def record_of(m: Message, parent_key: str | None) -> Record:
    """A devnet message as the gateway shows it."""
    return Record(
        key=str(m.seq), id=m.id, kind=m.kind, sender=m.from_, recipient=m.process,
        tags=list(m.tags), data=m.data, timestamp=m.timestamp, parent=parent_key, root=m.root,
        error=m.error.strip() if m.error else None, reason=m.reason)


class LocalChain(Chain):
    """The gateway's view of a local devnet with USDA and TIM3 deployed.

    Parameters:
        devnet: the devnet (shared with the HTTP node, if one serves it).
        wallets: the dev wallets the server may sign for, by name.
        processes: the deployed processes by ticker: {"USDA": id, "TIM3": id}.
        denomination: decimals of both tokens.
        lock: serialises devnet calls; pass the node's lock when a node serves the same devnet.
        endpoints: the node's URLs ({"MU", "CU", "SU", "Gateway"}) for the environment panel.
        owner: the address that owns the processes (the deployer), if known.
    """

    kind = "local"

    def __init__(self, devnet: Devnet, wallets: dict[str, Wallet], processes: dict[str, str],
                 denomination: int = DEFAULT_DENOMINATION, lock: threading.Lock | None = None,
                 endpoints: dict[str, str] | None = None, owner: str | None = None) -> None:
        self.devnet = devnet
        self.owner = owner
        self._wallets = dict(wallets)
        self.lock = lock or threading.Lock()
        self.endpoints = dict(endpoints or {})
        self.tokens = {t: Token(t, pid, denomination) for t, pid in processes.items()}
        self.denomination = denomination
        # Reads only: the dry-run owner is passed per call, so any known key will do.
        self._reader = LocalNetwork(devnet, devnet.mu)

    @classmethod
    def from_localnet(cls, net: LocalNet, lock: threading.Lock | None = None) -> LocalChain:
        """The chain of a `tim3.ops.start_local` environment; its endpoints are the node's."""
        from tim3.ops.local import USDA_DENOMINATION

        return cls(net.devnet, net.wallets, net.processes, USDA_DENOMINATION, lock,
                   net.endpoints, net.deployer.address)

    def environment(self) -> dict[str, Any]:
        url = self.endpoints.get("MU", "")
        env = Environment(
            name="local", kind="local", mu_url=url, cu_url=self.endpoints.get("CU", url),
            gateway_url=self.endpoints.get("Gateway", url), su_url=self.endpoints.get("SU", url),
            scheduler=self.devnet.su.address, authority=self.devnet.mu.address, module=MODULE_ID,
            processes={role_of(t): tok.process for t, tok in self.tokens.items()},
            denomination=self.denomination, owner=self.owner,
            description="The local devnet: dev wallets are signed for by this server.")
        return env.to_json()

    def wallets(self) -> list[dict[str, str]]:
        return [{"name": n, "address": w.address} for n, w in self._wallets.items()]

    def send_as(self, wallet: str, target: str, tags: TagsLike, data: str = "") -> str:
        signer = self._wallets.get(wallet)
        if signer is None:
            known = ", ".join(self._wallets) or "none"
            raise NotFound(f"No dev wallet named '{wallet}'. This devnet has: {known}.")
        given = tag_list(tags)
        names = {n for n, _ in given}
        protocol = [(n, v) for n, v in PROTOCOL_TAGS if n not in names]
        item = DataItem.create(signer, data, tags=[*given, *protocol], target=target)
        return self._deliver(item)

    def submit(self, raw: bytes) -> str:
        return self._deliver(signed_item(raw))

    def _deliver(self, item: DataItem) -> str:
        target = check_item(item, self.tokens)
        with self.lock:
            try:
                self.devnet.message(item.id)
            except DevnetError:
                pass
            else:
                raise BadInput(f"Data item '{item.id}' was already sent; sign a new one.")
            # On MessageLimitReached the message was evaluated; its flow shows where the
            # delivery stopped.
            with contextlib.suppress(MessageLimitReached):
                self.devnet.send(item.owner_address, target, tags=item.tags,
                                 data=item.data.decode("utf-8", errors="replace"), id=item.id,
                                 anchor=(item.anchor or b"").decode("utf-8", errors="replace"))
        return item.id

    def dry_run(self, process: str, tags: TagsLike, owner: str | None = None) -> Result:
        with self.lock:
            return self._reader.dry_run(process, tags, owner=owner)

    def trace(self, message_id: str) -> tuple[list[Record], bool]:
        with self.lock:
            try:
                root = self.devnet.trace(message_id)
            except DevnetError as exc:
                raise NotFound(f"No message '{message_id}' on this devnet. Check the id, or "
                               "find it in the explorer.") from exc
            messages = sorted(root.walk(), key=lambda m: m.seq)
        keys = {m.seq for m in messages}
        return [record_of(m, str(m.parent) if m.parent in keys else None)
                for m in messages], True

    def recent(self, query: str = "", process: str | None = None,
               limit: int = 50) -> list[Record]:
        with self.lock:
            try:
                records = self.devnet.messages(process)
            except DevnetError as exc:
                raise NotFound(str(exc)) from exc
            found: list[Record] = []
            for m in reversed(records):
                if query and query not in m.id and query not in m.from_ \
                        and query not in m.process:
                    continue
                found.append(record_of(m, str(m.parent) if m.parent is not None else None))
                if len(found) >= limit:
                    break
        return found

    def processes(self, query: str = "") -> list[dict[str, Any]]:
        with self.lock:
            return [{"id": p.id, "name": p.name or "", "owner": p.owner,
                     "owner_name": self.devnet.name_of(p.owner) or "",
                     "messages": len(p.messages)}
                    for p in self.devnet.processes()
                    if not query or query in p.id or query.lower() in (p.name or "").lower()]

    def name_of(self, address: str) -> str | None:
        for ticker, token in self.tokens.items():
            if token.process == address:
                return ticker
        return self.devnet.name_of(address)


def signed_item(raw: bytes) -> DataItem:
    """The data item in `raw`, decoded and its signature checked; BadInput otherwise."""
    try:
        item = DataItem.decode(raw)
        item.check()
    except DataItemError as exc:
        raise BadInput(f"The signed data item is not valid: {exc}") from exc
    return item


def check_item(item: DataItem, tokens: dict[str, Token]) -> str:
    """The target of a signed AO message for USDA or TIM3; BadInput for anything else."""
    if item.tag("Data-Protocol") != "ao" or item.tag("Type") != "Message":
        raise BadInput("The data item is not an AO message: it needs the tags "
                       "'Data-Protocol: ao' and 'Type: Message'.")
    allowed = {t.process: ticker for ticker, t in tokens.items()}
    if item.target not in allowed:
        names = " and ".join(f"{ticker} ({pid})" for pid, ticker in allowed.items())
        raise BadInput(f"This gateway only sends messages to {names}; the item's target is "
                       f"'{item.target or ''}'.")
    return item.target
