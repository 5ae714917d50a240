"""The gateway subset AO clients need: GraphQL lookups of modules, schedulers, processes,
messages (§3.9). Not a GraphQL engine: it reads the `transactions(...)` arguments that
aoconnect, scheduler-utils and the aos CLI send, and answers with full nodes."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tim3.devnet import MODULE_ID, Kind
from tim3.devnet.network import MODULE_TAGS
from tim3.node.errors import BadRequest
from tim3.node.params import MAX_JSON_BYTES, read_body
from tim3.node.state import NodeState

# aos's legacy module id: spawning with it runs this devnet's runtime, as the aos CLI expects.
AOS_MODULE_ID = "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"
def _transactions_args(query: str) -> str | None:
    """The text between `transactions(` and its matching `)`; linear, so no query can stall."""
    start = query.find("transactions")
    if start < 0:
        return None
    open_at = query.find("(", start)
    if open_at < 0 or query[start + len("transactions"):open_at].strip():
        return None
    depth = 0
    for i in range(open_at, len(query)):
        c = query[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return query[open_at + 1:i]
    return None


def _node(
    id_: str, owner: str, tags: Sequence[tuple[str, str]], height: int, ts_ms: int
) -> dict[str, Any]:
    return {
        "id": id_, "anchor": "", "signature": "", "recipient": "",
        "owner": {"address": owner, "key": ""},
        "fee": {"winston": "0", "ar": "0"}, "quantity": {"winston": "0", "ar": "0"},
        "data": {"size": "0", "type": None},
        "tags": [{"name": n, "value": v} for n, v in tags],
        "block": {"id": f"block-{height}", "height": height, "timestamp": ts_ms // 1000,
                  "previous": f"block-{height - 1}"},
        "bundledIn": None, "parent": None,
    }


def _records(state: NodeState) -> list[dict[str, Any]]:
    net = state.devnet
    genesis = net.clock.genesis_ms
    height = net.clock.block_height(genesis)
    out = [_node(mid, net.mu.address, MODULE_TAGS, height, genesis)
           for mid in (MODULE_ID, AOS_MODULE_ID)]
    out.append(_node(
        "scheduler-location-" + net.su.address[:20], net.su.address,
        [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Scheduler-Location"),
         ("Url", state.base_url), ("Time-To-Live", "3600000")], height, genesis))
    for p in net.processes():
        first = net.message(p.id, p.id)
        out.append(_node(p.id, p.owner, p.tags, first.block_height, first.timestamp))
    return out


def _values(expr: str | None, variables: dict[str, Any]) -> list[str] | None:
    if expr is None:
        return None
    expr = expr.strip()
    if expr.startswith("$"):
        value = variables.get(expr[1:])
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise BadRequest(
                f"GraphQL variable '{expr[1:]}' must be a string or a list of strings.")
        return list(value)
    # A literal list: quoted strings, and $variables inside it (`owners: [$owner]`).
    found: list[str] = []
    for quoted, name in re.findall(r'"([^"]*)"|\$(\w+)', expr):
        if name:
            found.extend(_values("$" + name, variables) or [])
        else:
            found.append(quoted)
    return found


def _filters(args: str, variables: dict[str, Any]) -> tuple[list[str] | None, list[str] | None,
                                                             list[tuple[str, list[str]]], int]:
    def arg(name: str) -> str | None:
        m = re.search(name + r"\s*:\s*(\$\w+|\[[^\]]*\])", args)
        return m.group(1) if m else None

    ids = _values(arg("ids"), variables)
    owners = _values(arg("owners"), variables)
    tag_filters: list[tuple[str, list[str]]] = []
    tm = re.search(r"tags\s*:\s*(\$\w+|\[.*\])", args, re.S)
    if tm:
        text = tm.group(1)
        if text.startswith("$"):
            raw = variables.get(text[1:]) or []
            if not isinstance(raw, list) or not all(
                    isinstance(t, dict) and isinstance(t.get("name"), str)
                    and isinstance(t.get("values", []), list) for t in raw):
                raise BadRequest(f"GraphQL variable '{text[1:]}' must be a list of "
                                 "{name, values} objects.")
            tag_filters = [(t["name"], [str(v) for v in t.get("values", [])]) for t in raw]
        else:
            pairs = re.findall(r'name\s*:\s*"([^"]*)"\s*,\s*values\s*:\s*\[([^\]]*)\]', text)
            for name, vals in pairs:
                tag_filters.append((name, re.findall(r'"([^"]*)"', vals)))
    first = re.search(r"first\s*:\s*(\d+|\$\w+)", args)
    limit = 100
    if first:
        raw = first.group(1)
        value = variables.get(raw[1:], 100) if raw.startswith("$") else int(raw)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadRequest(f"GraphQL 'first' must be a whole number, got {value!r}.")
        limit = value
    return ids, owners, tag_filters, limit


async def graphql(request: Request) -> Response:
    state: NodeState = request.app.state.node
    try:
        payload = json.loads(await read_body(request, MAX_JSON_BYTES) or b"{}")
    except ValueError as exc:  # JSONDecodeError, or bytes that are no text at all
        raise BadRequest(f"The GraphQL body is not JSON: {exc}.") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise BadRequest("A GraphQL request needs a 'query' string.")
    variables = payload.get("variables") or {}
    if not isinstance(variables, dict):
        raise BadRequest("GraphQL 'variables' must be a JSON object.")
    args = _transactions_args(payload["query"])
    if args is None:
        raise BadRequest("This gateway answers 'transactions(...)' queries only.")
    ids, owners, tag_filters, limit = _filters(args, variables)
    nodes = []
    for node in _records(state):
        tags: dict[str, str] = {}
        for t in node["tags"]:
            tags.setdefault(t["name"], t["value"])
        if ids is not None and node["id"] not in ids:
            continue
        if owners is not None and node["owner"]["address"] not in owners:
            continue
        if any(tags.get(name) not in values for name, values in tag_filters):
            continue
        nodes.append(node)
    if ids:
        known = {n["id"] for n in nodes}
        for mid in ids:
            if mid in known:
                continue
            try:
                record = state.devnet.message(mid)
            except Exception:  # noqa: BLE001 - unknown ids are simply absent
                continue
            if record.kind in (Kind.MESSAGE, Kind.WALLET):
                nodes.append(_node(record.id, record.owner, record.tags, record.block_height,
                                   record.timestamp))
    nodes = nodes[:limit]
    return JSONResponse({"data": {"transactions": {
        "pageInfo": {"hasNextPage": False},
        "edges": [{"cursor": n["id"], "node": n} for n in nodes],
    }}})


routes = [Route("/graphql", graphql, methods=["POST"])]
