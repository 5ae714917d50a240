"""Process records: what the network itself keeps about a process — owner, spawn tags, boot data.

These come from the network's records, not from the process (a process can say anything about
itself): the devnet's store in process, or an Arweave gateway over HTTP (GraphQL for owner and
tags, `GET /<id>` for the data). The sha256 of the boot data (`On-Boot = Data`) is the hash of
the code the process was started with.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tim3.errors import ClientError
from tim3.ops.build import sha256_text
from tim3.ops.session import Session
from tim3.types import Tag

__all__ = ["ProcessRecord", "process_record"]

_QUERY = """query ($ids: [ID!]!) {
  transactions(ids: $ids) { edges { node { id owner { address } tags { name value } } } }
}"""


@dataclass(frozen=True)
class ProcessRecord:
    """A process as the network recorded its spawn; `boot_error` from its first result."""

    id: str
    owner: str
    tags: list[Tag]
    data: str | None
    boot_error: str | None = None

    def tag(self, name: str) -> str | None:
        return next((v for n, v in self.tags if n == name), None)

    def tag_values(self, name: str) -> list[str]:
        """Every comma-separated value of every tag `name` (aos reads `Authority` so)."""
        out: list[str] = []
        for n, v in self.tags:
            if n == name:
                out += [p.strip() for p in v.split(",") if p.strip()]
        return out

    @property
    def code_sha256(self) -> str | None:
        """The hash of the boot code, when the process booted from its own data."""
        if self.tag("On-Boot") != "Data" or self.data is None:
            return None
        return sha256_text(self.data)


def process_record(session: Session, pid: str) -> ProcessRecord | None:
    """The network's record of process `pid`, or None when the network has no such process."""
    devnet = session.devnet
    if devnet is not None:
        if not devnet.is_process(pid):
            return None
        info = devnet.process(pid)
        boot = devnet.message(pid, pid)
        return ProcessRecord(pid, info.owner, list(info.tags), boot.data, boot.error)
    gateway = session.env.gateway_url
    session.progress(f"Reading the spawn record of {pid} from {gateway}")
    try:
        with session.http() as http:
            answer = http.post(f"{gateway}/graphql",
                               json={"query": _QUERY, "variables": {"ids": [pid]}})
            answer.raise_for_status()
            edges = answer.json()["data"]["transactions"]["edges"]
            if not edges:
                return None
            node = edges[0]["node"]
            raw = http.get(f"{gateway}/{pid}")
            data = raw.content.decode("utf-8", errors="replace") if raw.status_code == 200 \
                else None
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
        raise ClientError(f"Could not read the record of process '{pid}' from the gateway "
                          f"{gateway} ({exc}). Check your connection and gateway_url in the "
                          "environment.") from exc
    tags = [(str(t["name"]), str(t["value"])) for t in node.get("tags") or []]
    boot_error = None
    try:
        boot_error = session.network.result(pid, pid).error
    except ClientError:
        boot_error = None     # the CU may not serve the boot result; the record still counts
    return ProcessRecord(pid, str((node.get("owner") or {}).get("address") or ""), tags, data,
                         boot_error)
