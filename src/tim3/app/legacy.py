"""`LegacyChain`: the gateway over a real (legacy-protocol) AO network.

Keys never reach the server: the browser's wallet (Wander) signs each data item, and the
server checks it and forwards it to the network's messenger unit. Reads are CU dry-runs. A flow
is the one `tim3 flow` draws (`tim3.ops.flow`): the message's result, then for each outbox
message the message the messenger pushed for it, found in the target's schedule at the
scheduler, and so on — so it fills in while the network delivers.
"""

from __future__ import annotations

import itertools
from typing import Any

import httpx

from tim3.app.chain import Chain, Record, Token
from tim3.app.errors import NotFound, NotSupported
from tim3.app.local import check_item, signed_item
from tim3.arweave import Wallet
from tim3.client import HttpNetwork, Result
from tim3.errors import ConfigError
from tim3.ops.environments import Environment, environment
from tim3.ops.flow import FlowNode, flow
from tim3.ops.session import Session
from tim3.types import TagsLike

__all__ = ["LegacyChain"]

# HttpNetwork wants a wallet; the gateway never signs with it (dry-runs name their owner).
_READER = "tim3-gateway-reader"


class LegacyChain(Chain):
    """The gateway's view of a legacy AO network (test or production).

    Parameters:
        env: the environment (`tim3.ops.environments.environment("test")`); it must name the
            `usda` and `tim3` processes.
        transport: an httpx transport, for tests.
        timeout: seconds to wait for each answer from the network.
    """

    kind = "legacy"

    def __init__(self, env: Environment, *, transport: httpx.BaseTransport | None = None,
                 timeout: float = 30.0) -> None:
        self.env = env
        self.tokens = {"USDA": Token("USDA", env.process("usda"), env.denomination),
                       "TIM3": Token("TIM3", env.process("tim3"), env.denomination)}
        self.network = HttpNetwork(env.mu_url, env.cu_url, env.gateway_url,
                                   wallet=Wallet.from_name(_READER), timeout=timeout,
                                   transport=transport)
        self.session = Session(env, self.network)

    @classmethod
    def named(cls, name: str) -> LegacyChain:
        """The chain of a named environment from the environments file."""
        env = environment(name)
        if env.is_local:
            raise ConfigError(f"Environment '{name}' is the local devnet: serve it with "
                              "'tim3 devnet', which runs the gateway next to the node.")
        return cls(env)

    def close(self) -> None:
        self.network.close()

    def environment(self) -> dict[str, Any]:
        return self.env.to_json()

    def wallets(self) -> list[dict[str, str]]:
        return []

    def send_as(self, wallet: str, target: str, tags: TagsLike, data: str = "") -> str:
        raise NotSupported(f"'{self.env.name}' is a real AO network: sign with Wander, the "
                           "browser wallet. Dev wallets exist only on the local devnet.")

    def submit(self, raw: bytes) -> str:
        item = signed_item(raw)
        check_item(item, self.tokens)
        return self.network.send_signed(item)

    def dry_run(self, process: str, tags: TagsLike, owner: str | None = None) -> Result:
        return self.network.dry_run(process, tags, owner=owner)

    def trace(self, message_id: str) -> tuple[list[Record], bool]:
        try:
            tree = flow(self.session, message_id)
        except ConfigError as exc:
            raise NotFound(str(exc)) from exc
        return _records(tree)

    def recent(self, query: str = "", process: str | None = None,
               limit: int = 50) -> list[Record]:
        # A real network has no "newest messages" list: look up one message by its id.
        if len(query) != 43:
            return []
        try:
            records, _ = self.trace(query)
        except NotFound:
            return []
        return records[:1]

    def processes(self, query: str = "") -> list[dict[str, Any]]:
        return [{"id": pid, "name": role, "owner": self.env.owner or "", "owner_name": "",
                 "messages": 0}
                for role, pid in sorted(self.env.processes.items())
                if not query or query in pid or query.lower() in role]

    def name_of(self, address: str) -> str | None:
        for ticker, token in self.tokens.items():
            if token.process == address:
                return ticker
        return next((role for role, pid in self.env.processes.items() if pid == address), None)


def _records(tree: FlowNode) -> tuple[list[Record], bool]:
    """The flow's messages breadth first (the order the messenger delivers them); complete
    when every outbox message was found delivered."""
    records: list[Record] = []
    complete = True
    counter = itertools.count()
    queue: list[tuple[FlowNode, str | None]] = [(tree, None)]
    while queue:
        node, parent = queue.pop(0)
        if node.id is None and node.kind != "wallet":
            complete = False            # sent, but not (yet) in the target's schedule
            continue
        key = node.id or f"wallet-{next(counter)}"
        records.append(Record(
            key=key, id=node.id or "", kind=node.kind if node.kind != "unknown" else "message",
            sender=node.from_, recipient=node.process, tags=list(node.tags),
            parent=parent, root=tree.id, error=node.error.strip() if node.error else None,
            reason=node.note if node.kind == "dropped" else ""))
        queue.extend((child, key) for child in node.children)
    return records, complete
