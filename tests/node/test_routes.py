"""The node's routes and JSON shapes (ao-protocol.md §3.4–3.9): MU, CU, SU and gateway."""

from __future__ import annotations

import base64
import contextlib
import json
import random
from collections.abc import Callable, Iterator

import httpx
import pytest

from tim3.arweave import DataItem, Wallet, b64url_encode
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig, Kind
from tim3.node import NodeServer
from tim3.node.shapes import decode_position, encode_cursor

Ping = Callable[..., DataItem]


def _tags(raw: list[dict[str, str]]) -> dict[str, str]:
    return {t["name"]: t["value"] for t in raw}


def _pings(devnet: Devnet, wallet: Wallet, pid: str, n: int) -> None:
    for _ in range(n):
        devnet.send(wallet, pid, tags={"Action": "Ping"})


def _counts(page: dict) -> list[str | None]:
    out = []
    for edge in page["edges"]:
        messages = edge["node"]["Messages"]
        out.append(_tags(messages[0]["Tags"]).get("Count") if messages else None)
    return out


# -- MU and CU -------------------------------------------------------------------------------

def test_a_message_posted_to_root_is_evaluated_before_the_202(
        http: httpx.Client, counter: str, alice: Wallet, ping: Ping) -> None:
    item = ping(alice, counter)

    posted = http.post("/", content=item.raw,
                       headers={"Content-Type": "application/octet-stream"})
    result = http.get(f"/result/{item.id}", params={"process-id": counter})

    assert posted.status_code == 202
    assert posted.json() == {"message": "Processing DataItem", "id": item.id}
    assert result.status_code == 200
    body = result.json()
    assert set(body) >= {"Output", "Messages", "Spawns", "Assignments"}
    reply = body["Messages"][0]
    assert reply["Target"] == alice.address
    assert _tags(reply["Tags"])["Count"] == "1"
    assert reply["Data"] == "pong 1"


def test_an_item_the_devnet_already_holds_is_refused_by_a_restarted_node(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet, ping: Ping) -> None:
    item = ping(alice, counter)
    http.post("/", content=item.raw)
    before = len(devnet.messages())

    with NodeServer(devnet, port=0) as restarted, \
            httpx.Client(base_url=restarted.url, timeout=30) as again:
        posted = again.post("/", content=item.raw)

    assert posted.status_code == 400
    assert "already received" in posted.json()["error"]
    assert len(devnet.messages()) == before


def test_a_process_posted_to_root_is_spawned_with_exactly_its_tags(
        http: httpx.Client, devnet: Devnet, alice: Wallet) -> None:
    tags = [("Name", "posted"), ("On-Boot", "Data"), ("Data-Protocol", "ao"),
            ("Variant", "ao.TN.1"), ("Type", "Process"), ("Module", MODULE_ID),
            ("Scheduler", devnet.su.address)]
    item = DataItem.create(alice, "Booted = true", tags=tags)

    posted = http.post("/", content=item.raw)

    assert posted.status_code == 202
    assert posted.json()["id"] == item.id
    assert devnet.process(item.id).tags == tags
    assert devnet.process(item.id).owner == alice.address
    assert devnet.dryrun(item.id, tags={"Action": "Eval"}, data="return Booted",
                         sender=alice).ok


def test_results_page_ascending_with_from_cursors_and_has_next_page(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet) -> None:
    _pings(devnet, alice, counter, 4)

    first = http.get(f"/results/{counter}", params={"limit": 2}).json()
    second = http.get(f"/results/{counter}",
                      params={"limit": 2, "from": first["edges"][-1]["cursor"]}).json()
    third = http.get(f"/results/{counter}",
                     params={"limit": 2, "from": second["edges"][-1]["cursor"]}).json()

    assert _counts(first) == [None, "1"]                  # the boot, then the first ping
    assert first["pageInfo"] == {"hasNextPage": True}
    assert _counts(second) == ["2", "3"]
    assert second["pageInfo"] == {"hasNextPage": True}
    assert _counts(third) == ["4"]
    assert third["pageInfo"] == {"hasNextPage": False}


def test_results_page_descending_from_the_newest(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet) -> None:
    _pings(devnet, alice, counter, 3)

    first = http.get(f"/results/{counter}", params={"sort": "DESC", "limit": 2}).json()
    rest = http.get(f"/results/{counter}", params={
        "sort": "desc", "from": first["edges"][-1]["cursor"]}).json()

    assert _counts(first) == ["3", "2"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert _counts(rest) == ["1", None]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_results_to_is_inclusive_and_accepts_raw_timestamps(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet) -> None:
    _pings(devnet, alice, counter, 4)
    stamps = [m.timestamp for m in devnet.messages(counter)]

    window = http.get(f"/results/{counter}", params={"from": stamps[1], "to": stamps[3]}).json()

    assert _counts(window) == ["2", "3"]


def test_results_limit_defaults_to_25(http: httpx.Client, devnet: Devnet, counter: str,
                                      alice: Wallet) -> None:
    _pings(devnet, alice, counter, 30)

    page = http.get(f"/results/{counter}").json()

    assert len(page["edges"]) == 25
    assert page["pageInfo"]["hasNextPage"] is True


def test_results_cursors_are_base64_json_of_the_cu_fields(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet) -> None:
    _pings(devnet, alice, counter, 1)

    page = http.get(f"/results/{counter}", params={"sort": "DESC", "limit": 1}).json()

    cursor = json.loads(base64.b64decode(page["edges"][0]["cursor"]))
    last = devnet.messages(counter)[-1]
    assert cursor == {"timestamp": last.timestamp, "ordinate": "1", "cron": None,
                      "sort": "DESC"}


def test_results_leave_out_failed_evaluations(http: httpx.Client, devnet: Devnet,
                                              alice: Wallet) -> None:
    pid = devnet.spawn(alice, 'Handlers.add("f", "Fail", function() error("no") end)')
    devnet.send(alice, pid, tags={"Action": "Fail"})

    page = http.get(f"/results/{pid}").json()

    assert len(page["edges"]) == 1


def test_dry_run_answers_and_leaves_the_process_unchanged(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet, ping: Ping) -> None:
    before = len(devnet.messages())
    body = {"Id": "1234", "Target": counter, "Owner": alice.address, "Anchor": "0",
            "Data": "1234", "Tags": [{"name": "Action", "value": "Ping"}]}

    dry = [http.post("/dry-run", params={"process-id": counter}, json=body) for _ in range(2)]
    item = ping(alice, counter)
    http.post("/", content=item.raw)
    real = http.get(f"/result/{item.id}", params={"process-id": counter}).json()

    assert [r.status_code for r in dry] == [200, 200]
    assert [_tags(r.json()["Messages"][0]["Tags"])["Count"] for r in dry] == ["1", "1"]
    assert dry[0].json()["Messages"][0]["Target"] == alice.address
    assert len(devnet.messages()) == before + 2          # the real Ping and its Pong only
    assert _tags(real["Messages"][0]["Tags"])["Count"] == "1"


def test_dry_run_with_an_empty_body_uses_the_defaults(http: httpx.Client, counter: str) -> None:
    answer = http.post("/dry-run", params={"process-id": counter}, content=b"")

    assert answer.status_code == 200
    assert answer.json()["Messages"] == []


# -- SU --------------------------------------------------------------------------------------

def test_su_message_by_id_has_the_message_and_its_assignment(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet, ping: Ping) -> None:
    item = ping(alice, counter)
    http.post("/", content=item.raw)

    body = http.get(f"/{item.id}", params={"process-id": counter}).json()

    message, assignment = body["message"], body["assignment"]
    assert message["id"] == item.id
    assert message["owner"] == {"address": alice.address, "key": b64url_encode(alice.owner)}
    assert message["signature"] == b64url_encode(item.signature)
    assert message["target"] == counter
    assert message["data"] == " "
    assert message["tags"] == [{"name": n, "value": v} for n, v in item.tags]
    tags = _tags(assignment["tags"])
    assert tags["Process"] == counter
    assert tags["Nonce"] == "1"
    assert tags["Message"] == item.id
    assert tags["Type"] == "Assignment"
    assert tags["Timestamp"] == str(devnet.message(item.id).timestamp)
    assert assignment["owner"]["address"] == devnet.su.address


def test_su_schedule_lists_the_process_first_and_pages_by_timestamp(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet) -> None:
    _pings(devnet, alice, counter, 2)

    first = http.get(f"/{counter}", params={"process-id": counter, "limit": 2}).json()
    rest = http.get(f"/{counter}", params={"process-id": counter,
                                           "from": first["edges"][-1]["cursor"]}).json()

    assert first["page_info"] == {"has_next_page": True}
    process = first["edges"][0]["node"]
    assert process["message"]["id"] == counter
    assert "Message" not in _tags(process["assignment"]["tags"])
    assert first["edges"][0]["cursor"] == str(devnet.messages(counter)[0].timestamp)
    assert [_tags(e["node"]["assignment"]["tags"])["Nonce"] for e in rest["edges"]] == ["2"]
    assert rest["page_info"] == {"has_next_page": False}


def test_su_schedule_pages_by_nonce(http: httpx.Client, devnet: Devnet, counter: str,
                                    alice: Wallet) -> None:
    _pings(devnet, alice, counter, 3)

    page = http.get(f"/{counter}", params={"process-id": counter, "from-nonce": 0,
                                           "to-nonce": 2}).json()

    assert [e["cursor"] for e in page["edges"]] == ["1", "2"]


def test_su_timestamp_is_a_string_and_the_height_is_zero_padded(
        http: httpx.Client, devnet: Devnet) -> None:
    body = http.get("/timestamp").json()

    assert body["timestamp"] == str(devnet.clock.peek())
    assert len(body["block_height"]) == 12
    assert int(body["block_height"]) == devnet.clock.block_height(devnet.clock.peek())


def test_su_process_record_has_the_spawn_item(http: httpx.Client, devnet: Devnet,
                                              alice: Wallet) -> None:
    tags = [("Name", "rec"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"),
            ("Type", "Process"), ("Module", MODULE_ID), ("Scheduler", devnet.su.address)]
    item = DataItem.create(alice, "x = 1", tags=tags)
    http.post("/", content=item.raw)

    body = http.get(f"/processes/{item.id}").json()

    assert body["process_id"] == item.id
    assert body["owner"] == {"address": alice.address, "key": b64url_encode(alice.owner)}
    assert body["tags"] == [{"name": n, "value": v} for n, v in tags]
    assert body["timestamp"] == devnet.message(item.id).timestamp
    assert body["data"] == "x = 1"
    assert body["signature"] == b64url_encode(item.signature)


def test_gateway_data_of_a_message_is_its_raw_payload(http: httpx.Client, devnet: Devnet,
                                                      counter: str, alice: Wallet) -> None:
    mid = devnet.send(alice, counter, tags={"Action": "Ping"}, data="payload bytes").id

    body = http.get(f"/{mid}")

    assert body.status_code == 200
    assert body.content == b"payload bytes"


# -- gateway GraphQL -------------------------------------------------------------------------

MODULE_QUERY = """query ($transactionIds: [ID!]!) {
  transactions(ids: $transactionIds) {
    edges { node { owner { address } tags { name value } block { id height timestamp } } }
  }
}"""

SCHEDULER_QUERY = """query GetSchedulerLocation ($owner: String!) {
  transactions (owners: [$owner], tags: [
      { name: "Data-Protocol", values: ["ao"] }, { name: "Type", values: ["Scheduler-Location"] }
    ], sort: HEIGHT_DESC, first: 1) {
    edges { node { tags { name value } } }
  }
}"""


@pytest.mark.parametrize("module", [MODULE_ID, "ISShJH1ij-hPPt9St5UFFr_8Ys3Kj5cyg7zrMGt7H9s"],
                         ids=["tim3-module", "aos-module"])
def test_graphql_finds_the_module_records_aoconnect_checks(http: httpx.Client,
                                                           module: str) -> None:
    body = http.post("/graphql", json={"query": MODULE_QUERY,
                                       "variables": {"transactionIds": [module]}}).json()

    edges = body["data"]["transactions"]["edges"]
    assert len(edges) == 1
    tags = _tags(edges[0]["node"]["tags"])
    assert tags["Data-Protocol"] == "ao"
    assert tags["Type"] == "Module"
    assert tags["Module-Format"] and tags["Input-Encoding"] and tags["Output-Encoding"]


def test_graphql_finds_the_scheduler_location_by_a_literal_owner(
        http: httpx.Client, node: NodeServer, devnet: Devnet) -> None:
    query = SCHEDULER_QUERY.replace("[$owner]", f'["{devnet.su.address}"]')

    body = http.post("/graphql", json={"query": query}).json()

    edges = body["data"]["transactions"]["edges"]
    assert len(edges) == 1
    tags = _tags(edges[0]["node"]["tags"])
    assert tags["Url"] == node.url
    assert int(tags["Time-To-Live"]) > 0


def test_graphql_finds_the_scheduler_location_with_the_scheduler_utils_query(
        http: httpx.Client, node: NodeServer, devnet: Devnet) -> None:
    body = http.post("/graphql", json={"query": SCHEDULER_QUERY,
                                       "variables": {"owner": devnet.su.address}}).json()

    edges = body["data"]["transactions"]["edges"]
    assert len(edges) == 1
    tags = _tags(edges[0]["node"]["tags"])
    assert tags["Url"] == node.url
    assert int(tags["Time-To-Live"]) > 0


def test_graphql_finds_nothing_for_an_unknown_id(http: httpx.Client) -> None:
    body = http.post("/graphql", json={"query": MODULE_QUERY,
                                       "variables": {"transactionIds": ["A" * 43]}}).json()

    assert body["data"]["transactions"]["edges"] == []


def test_graphql_finds_a_process_by_id_with_its_scheduler_tag(
        http: httpx.Client, devnet: Devnet, counter: str) -> None:
    query = ('query { transactions(ids: ["PID"], tags: [{name: "Data-Protocol", values: '
             '["ao"]}]) { edges { node { tags { name value } } } } }').replace("PID", counter)

    body = http.post("/graphql", json={"query": query}).json()

    tags = _tags(body["data"]["transactions"]["edges"][0]["node"]["tags"])
    assert tags["Scheduler"] == devnet.su.address
    assert tags["Type"] == "Process"


# -- monitor, assign -------------------------------------------------------------------------

def test_monitor_and_unmonitor_a_process(http: httpx.Client, node: NodeServer, counter: str,
                                         alice: Wallet) -> None:
    item = DataItem.create(alice, " ", target=counter)

    on = http.post(f"/monitor/{counter}", content=item.raw)
    watched = set(node.app.state.node.monitored)
    off = http.request("DELETE", f"/monitor/{counter}", content=item.raw)

    assert (on.status_code, on.text) == (200, "Monitoring process")
    assert watched == {counter}
    assert (off.status_code, off.text) == (200, "Process deleted")
    assert node.app.state.node.monitored == set()


def test_assign_evaluates_an_existing_message_on_another_process(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet, deployer: Wallet,
        ping: Ping) -> None:
    accepts = 'ao.addAssignable("pings", { Action = "Ping" })\n' + devnet.message(counter).data
    other = devnet.spawn(deployer, accepts, tags={"Name": "other"})
    item = ping(alice, counter)
    http.post("/", content=item.raw)

    assigned = http.post("/", params={"process-id": other, "assign": item.id})
    result = http.get(f"/result/{item.id}", params={"process-id": other}).json()

    assert assigned.status_code == 202
    assert assigned.json()["message"] == "Processing Assignment"
    assert assigned.json()["id"] == item.id
    assert devnet.message(item.id, other).kind == Kind.ASSIGNMENT
    assert _tags(result["Messages"][0]["Tags"])["Count"] == "1"


def test_root_get_describes_the_node(http: httpx.Client, devnet: Devnet) -> None:
    body = http.get("/").json()

    assert body["address"] == devnet.su.address
    assert body["messenger"] == devnet.mu.address
    assert body["module"] == MODULE_ID


def test_results_paging_keeps_results_that_share_a_millisecond(
        http: httpx.Client, devnet: Devnet, counter: str, alice: Wallet,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devnet.clock, "now", devnet.clock.peek)   # every message in one ms
    _pings(devnet, alice, counter, 3)
    seen, cursor = [], None

    while True:
        params = {"limit": 1, **({"from": cursor} if cursor else {})}
        page = http.get(f"/results/{counter}", params=params).json()
        seen += _counts(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["edges"][-1]["cursor"]

    assert seen == [None, "1", "2", "3"]


PINGS_AND_FAILURES = """
Handlers.add("Ping", "Ping", function(msg) msg.reply({ Action = "Pong" }) end)
Handlers.add("Fail", "Fail", function() error("no") end)
"""


@contextlib.contextmanager
def _busy_node(deployer: Wallet, alice: Wallet,
               count: int) -> Iterator[tuple[Devnet, httpx.Client, str]]:
    """A node on the wall clock (several messages share a millisecond, so paging must compare
    slots too) with a process that got `count` messages, every seventh failing."""
    with Devnet(config=DevnetConfig.for_tests(fixed_start_ms=None)) as devnet, \
            NodeServer(devnet, port=0) as node, httpx.Client(base_url=node.url) as http:
        pid = devnet.spawn(deployer, PINGS_AND_FAILURES)
        for i in range(count):
            devnet.send(alice, pid, tags={"Action": "Fail" if i % 7 == 3 else "Ping"})
        yield devnet, http, pid


def _expected_page(devnet: Devnet, pid: str, sort: str, limit: int,
                   lo: tuple[int, float] | None, hi: tuple[int, float] | None) -> list[str]:
    """The CU's rule, spelled out over the whole schedule: evaluated, successful results
    after `lo` and up to `hi` (in the direction of `sort`), `limit` + 1 of them."""
    def pos(m):
        return m.timestamp, float(m.slot or 0)

    done = [m for m in devnet.messages(pid)
            if m.kind != Kind.WALLET and m.result is not None and m.result.ok]
    if sort == "DESC":
        done.reverse()
        chosen = [m for m in done if (lo is None or pos(m) < lo) and (hi is None or pos(m) >= hi)]
    else:
        chosen = [m for m in done if (lo is None or pos(m) > lo) and (hi is None or pos(m) <= hi)]
    return [f"{m.timestamp}:{m.slot}" for m in chosen[:limit + 1]]


def test_results_pages_match_the_cu_rule_for_any_window(deployer: Wallet, alice: Wallet) -> None:
    rng = random.Random(5)
    with _busy_node(deployer, alice, 60) as (devnet, http, pid):
        records = devnet.messages(pid)
        assert len({m.timestamp for m in records}) < len(records)
        for _ in range(80):
            sort = rng.choice(["ASC", "DESC"])
            limit = rng.randint(1, 12)
            bounds = []
            for _ in range(2):
                m = rng.choice(records)
                bounds.append(rng.choice([None, str(m.timestamp), encode_cursor(m, sort)]))
            params = {"sort": sort, "limit": str(limit)}
            params.update({k: v for k, v in zip(("from", "to"), bounds, strict=True) if v})
            edge = float("inf") if sort == "ASC" else float("-inf")
            lo, hi = (decode_position(b, edge) if b else None for b in bounds)
            expected = _expected_page(devnet, pid, sort, limit, lo, hi)

            page = http.get(f"/results/{pid}", params=params).json()

            got = [json.loads(base64.b64decode(edge["cursor"])) for edge in page["edges"]]
            assert [f"{c['timestamp']}:{c['ordinate']}" for c in got] == expected[:limit], params
            assert page["pageInfo"]["hasNextPage"] == (len(expected) > limit), params


def test_su_schedule_pages_match_the_su_rule_for_any_window(deployer: Wallet,
                                                            alice: Wallet) -> None:
    rng = random.Random(8)
    with _busy_node(deployer, alice, 50) as (devnet, http, pid):
        records = devnet.messages(pid)
        for _ in range(60):
            by_nonce = rng.random() < 0.5
            limit = rng.randint(1, 12)
            if by_nonce:
                names = ("from-nonce", "to-nonce")
                values = [rng.choice([None, -1, *range(len(records) + 2)]) for _ in names]
                key = lambda m: m.slot  # noqa: E731
            else:
                names = ("from", "to")
                values = [rng.choice([None, *(m.timestamp for m in records)]) for _ in names]
                key = lambda m: m.timestamp  # noqa: E731
            lo, hi = values
            expected = [m.id for m in records if (lo is None or key(m) > lo)
                        and (hi is None or key(m) <= hi)]
            params = {"process-id": pid, "limit": str(limit)}
            params.update({n: str(v) for n, v in zip(names, values, strict=True) if v is not None})

            page = http.get(f"/{pid}", params=params).json()

            assert [e["node"]["message"]["id"] for e in page["edges"]] == expected[:limit], params
            assert page["page_info"]["has_next_page"] == (len(expected) > limit), params


def test_su_serves_the_signed_items_after_the_node_and_devnet_restart(
        tmp_path, alice: Wallet, ping: Ping) -> None:
    path = tmp_path / "net.sqlite"
    spawn = DataItem.create(alice, "x = 1", tags=[
        ("Name", "rec"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Process"),
        ("Module", MODULE_ID), ("Scheduler", "s" * 43)])
    with Devnet(path, DevnetConfig.for_tests()) as devnet, NodeServer(devnet, port=0) as node:
        assert httpx.post(node.url, content=spawn.raw).status_code == 202
        item = ping(alice, spawn.id)
        assert httpx.post(node.url, content=item.raw).status_code == 202

    with Devnet(path, DevnetConfig.for_tests()) as devnet, NodeServer(devnet, port=0) as node, \
            httpx.Client(base_url=node.url) as http:
        process = http.get(f"/processes/{spawn.id}").json()
        message = http.get(f"/{item.id}", params={"process-id": spawn.id}).json()["message"]
        page = http.get(f"/{spawn.id}", params={"process-id": spawn.id}).json()

    assert process["signature"] == b64url_encode(spawn.signature)
    assert process["owner"]["key"] == b64url_encode(alice.owner)
    assert message["signature"] == b64url_encode(item.signature)
    assert message["owner"] == {"address": alice.address, "key": b64url_encode(alice.owner)}
    assert [e["node"]["message"]["signature"] for e in page["edges"]] == [
        b64url_encode(spawn.signature), b64url_encode(item.signature)]
