"""The gateway's JSON API on a local devnet: every endpoint the page uses, and its bad input."""

from __future__ import annotations

import json

import httpx
import pytest

from tim3.arweave import DataItem, Wallet
from tim3.ops import LocalNet

USDA = 10**12
PROTOCOL = [("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")]


def swap(api: httpx.Client, wallet: str = "alice", amount: str = "5") -> str:
    answer = api.post("/api/swap", json={"wallet": wallet, "amount": amount})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def events(api: httpx.Client, message_id: str) -> list[tuple[str, dict]]:
    out = []
    with api.stream("GET", f"/api/flow/{message_id}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        name = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                out.append((name, json.loads(line[6:])))
    return out


# -- the page ------------------------------------------------------------------------------------


def test_the_page_is_served_with_a_policy_that_forbids_other_origins(api):
    page = api.get("/")

    assert page.status_code == 200
    assert '<script type="module" src="/static/main.js">' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "http" not in page.text.replace("http-equiv", "")  # nothing loaded from elsewhere


@pytest.mark.parametrize("path", ["main.js", "swap.js", "diagram.js", "amount.js", "style.css"])
def test_every_static_file_is_served_locally(api, path):
    answer = api.get(f"/static/{path}")

    assert answer.status_code == 200
    assert "https://" not in answer.text


def test_an_unknown_path_is_a_json_404(api):
    answer = api.get("/api/nothing-here")

    assert answer.status_code == 404
    assert answer.json() == {"error": "Not Found: GET /api/nothing-here"}


def test_a_wrong_method_is_a_json_405(api):
    answer = api.get("/api/swap")

    assert answer.status_code == 405
    assert "error" in answer.json()


# -- environment and wallets ---------------------------------------------------------------------


def test_environment_names_the_processes_the_server_uses(api, net: LocalNet):
    body = api.get("/api/environment").json()

    assert body["environment"]["kind"] == "local"
    assert body["environment"]["processes"] == {"usda": net.processes["USDA"],
                                                "tim3": net.processes["TIM3"]}
    assert body["tokens"]["TIM3"] == {"ticker": "TIM3", "process": net.processes["TIM3"],
                                      "denomination": 12}
    assert body["environment"]["authority"] == net.devnet.mu.address
    assert body["dev_wallets"] is True


def test_wallets_lists_the_dev_wallets_the_server_signs_for(api, net: LocalNet):
    body = api.get("/api/wallets").json()

    assert body["wallets"] == [{"name": n, "address": w.address} for n, w in net.wallets.items()]


# -- balances ------------------------------------------------------------------------------------


def test_balances_are_base_units_and_formatted(api, net: LocalNet):
    alice = net.wallets["alice"].address

    body = api.get("/api/balances", params={"address": alice}).json()

    assert body["balances"] == {"USDA": str(1000 * USDA), "TIM3": "0"}
    assert body["formatted"] == {"USDA": "1000", "TIM3": "0"}
    assert body["name"] == "alice"


@pytest.mark.parametrize("params", [{}, {"address": ""}, {"address": "short"},
                                    {"address": "x" * 42 + "!"}],
                         ids=["missing", "empty", "short", "bad-character"])
def test_balances_refuse_what_is_not_an_address(api, params):
    answer = api.get("/api/balances", params=params)

    assert answer.status_code == 400
    assert "address" in answer.json()["error"]


# -- quote ---------------------------------------------------------------------------------------


def test_quote_states_exactly_what_a_swap_signs(api, net: LocalNet):
    tim3, usda = net.processes["TIM3"], net.processes["USDA"]

    body = api.get("/api/quote", params={"action": "swap", "amount": "5.25"}).json()

    assert body["text"] == "You will receive 5.25 TIM3"
    assert body["summary"] == f"Transfer 5.25 USDA to the TIM3 process {tim3}"
    assert body["message"]["target"] == usda
    assert body["message"]["tags"][:3] == [["Action", "Transfer"], ["Recipient", tim3],
                                           ["Quantity", "5250000000000"]]


def test_quote_of_a_redeem_targets_tim3(api, net: LocalNet):
    body = api.get("/api/quote", params={"action": "redeem", "amount": "2"}).json()

    assert body["message"]["target"] == net.processes["TIM3"]
    assert body["message"]["tags"][:2] == [["Action", "Redeem"], ["Quantity", str(2 * USDA)]]
    assert body["text"] == "You will receive 2 USDA"


@pytest.mark.parametrize(("params", "words"), [
    ({"action": "swap", "amount": ""}, "Enter an amount of USDA"),
    ({"action": "swap", "amount": "0"}, "above 0"),
    ({"action": "swap", "amount": "abc"}, "is not an amount"),
    ({"action": "swap", "amount": "-5"}, "is not an amount"),
    ({"action": "swap", "amount": "1e3"}, "is not an amount"),
    ({"action": "swap", "amount": "1,5"}, "is not an amount"),
    ({"action": "swap", "amount": "1.0000000000001"}, "has 13 decimals; USDA has at most 12"),
    ({"action": "swap", "amount": "9" * 61}, "too large"),
    ({"action": "burn", "amount": "5"}, "'action' must be 'swap' or 'redeem'"),
], ids=["empty", "zero", "letters", "negative", "exponent", "comma", "too-many-decimals",
        "too-large",
        "unknown-action"])
def test_quote_refuses_bad_amounts_in_plain_words(api, params, words):
    answer = api.get("/api/quote", params=params)

    assert answer.status_code == 400
    assert words in answer.json()["error"]


# -- swap and redeem with a dev wallet -------------------------------------------------------------


def test_swap_mints_tim3_one_to_one(api, net: LocalNet):
    alice = net.wallets["alice"].address

    message_id = swap(api, "alice", "5")

    assert net.balance("TIM3", alice) == 5 * USDA
    assert net.balance("USDA", alice) == 995 * USDA
    assert net.devnet.message(message_id).owner == alice


def test_swap_answers_the_plan_it_signed(api, net: LocalNet):
    body = api.post("/api/swap", json={"wallet": "bob", "amount": "1.5"}).json()

    record = net.devnet.message(body["id"])
    assert [list(t) for t in record.tags] == body["plan"]["message"]["tags"]


def test_redeem_pays_usda_back(api, net: LocalNet):
    alice = net.wallets["alice"].address
    swap(api, "alice", "5")

    answer = api.post("/api/redeem", json={"wallet": "alice", "amount": "2"})

    assert answer.status_code == 200
    assert net.balance("TIM3", alice) == 3 * USDA
    assert net.balance("USDA", alice) == 997 * USDA


@pytest.mark.parametrize(("body", "status", "words"), [
    (b"not json", 400, "not JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (json.dumps({"amount": "5"}).encode(), 400, "'wallet'"),
    (json.dumps({"wallet": "alice", "amount": 5}).encode(), 400, "'amount' as a string"),
    (json.dumps({"wallet": "mallory", "amount": "5"}).encode(), 404, "No dev wallet named"),
    (json.dumps({"wallet": "alice", "amount": "5.x"}).encode(), 400, "not an amount"),
    (b"{" + b" " * 70_000 + b"}", 400, "larger than"),
], ids=["not-json", "not-an-object", "no-wallet", "number-amount", "unknown-wallet",
        "bad-amount", "too-large"])
def test_swap_refuses_bad_requests(api, net: LocalNet, body, status, words):
    before = len(net.devnet.messages())

    answer = api.post("/api/swap", content=body, headers={"content-type": "application/json"})

    assert answer.status_code == status
    assert words in answer.json()["error"]
    assert len(net.devnet.messages()) == before


def test_swap_takes_json_only_so_other_sites_cannot_post_a_form(api, net: LocalNet):
    before = len(net.devnet.messages())

    answer = api.post("/api/swap", content=json.dumps({"wallet": "alice", "amount": "5"}),
                      headers={"content-type": "text/plain"})

    assert answer.status_code == 415
    assert "application/json" in answer.json()["error"]
    assert len(net.devnet.messages()) == before


def test_an_over_balance_swap_is_sent_and_its_flow_says_not_enough_usda(api):
    message_id = swap(api, "alice", "5000")

    flow = api.get(f"/api/flow/{message_id}").json()

    assert flow["outcome"]["status"] == "failed"
    assert flow["outcome"]["title"] == ("Not enough USDA: alice has 1000 USDA and tried to send "
                                        "5000 USDA.")
    assert [a["action"] for a in flow["arrows"]] == ["Transfer", "Transfer-Error"]
    assert flow["arrows"][1]["tone"] == "error"


# -- submit: items the browser's wallet signed ----------------------------------------------------


def signed_transfer(wallet: Wallet, net: LocalNet, quantity: str = str(2 * USDA),
                    target: str | None = None, tags: list | None = None) -> DataItem:
    tags = tags if tags is not None else [("Action", "Transfer"),
                                          ("Recipient", net.processes["TIM3"]),
                                          ("Quantity", quantity), *PROTOCOL]
    return DataItem.create(wallet, "", tags=tags, target=target or net.processes["USDA"])


def test_submit_sends_an_item_signed_in_the_browser(api, net: LocalNet):
    bob = net.wallets["bob"]
    item = signed_transfer(bob, net)

    answer = api.post("/api/submit", content=item.raw)

    assert answer.json() == {"id": item.id}
    assert net.balance("TIM3", bob.address) == 2 * USDA
    assert net.devnet.message(item.id).owner == bob.address


def test_submit_refuses_the_same_item_twice(api, net: LocalNet):
    item = signed_transfer(net.wallets["bob"], net)
    api.post("/api/submit", content=item.raw)

    again = api.post("/api/submit", content=item.raw)

    assert again.status_code == 400
    assert "already sent" in again.json()["error"]
    assert net.balance("TIM3", net.wallets["bob"].address) == 2 * USDA


def test_submit_refuses_a_tampered_signature(api, net: LocalNet):
    raw = bytearray(signed_transfer(net.wallets["bob"], net).raw)
    raw[10] ^= 0xFF

    answer = api.post("/api/submit", content=bytes(raw))

    assert answer.status_code == 400
    assert "not valid" in answer.json()["error"]


@pytest.mark.parametrize("raw", [b"", b"\x01\x00garbage"], ids=["empty", "garbage"])
def test_submit_refuses_what_is_not_a_data_item(api, raw):
    answer = api.post("/api/submit", content=raw)

    assert answer.status_code == 400
    assert "not valid" in answer.json()["error"]


def test_submit_only_forwards_to_usda_and_tim3(api, net: LocalNet):
    elsewhere = net.wallets["alice"].address
    item = signed_transfer(net.wallets["bob"], net, target=elsewhere)

    answer = api.post("/api/submit", content=item.raw)

    assert answer.status_code == 400
    assert "only sends messages to USDA" in answer.json()["error"]


def test_submit_refuses_an_item_that_is_not_an_ao_message(api, net: LocalNet):
    item = signed_transfer(net.wallets["bob"], net, tags=[("Action", "Transfer")])

    answer = api.post("/api/submit", content=item.raw)

    assert answer.status_code == 400
    assert "not an AO message" in answer.json()["error"]


# -- reserves ------------------------------------------------------------------------------------


def test_reserves_follow_swaps_and_check_usda_agrees(api):
    swap(api, "alice", "5")

    body = api.get("/api/reserves").json()

    assert body["figures"]["Total-Supply"] == str(5 * USDA)
    assert body["figures"]["Reserve"] == str(5 * USDA)
    assert body["formatted"]["Reserve"] == "5"
    assert body["invariant"] == "ok"
    assert body["usda_held"] == str(5 * USDA)
    assert body["backed"] is True
    assert body["mint_paused"] is False


def test_reserves_report_paused_minting(api, net: LocalNet):
    net.devnet.send(net.deployer, net.processes["TIM3"], tags={"Action": "Pause-Mint"})

    body = api.get("/api/reserves").json()

    assert body["mint_paused"] is True
    assert body["redeem_paused"] is False


# -- flows ---------------------------------------------------------------------------------------


def test_flow_of_a_swap_has_lanes_arrows_and_the_outcome(api, net: LocalNet):
    message_id = swap(api, "alice", "5")

    flow = api.get(f"/api/flow/{message_id}").json()

    assert [lane["name"] for lane in flow["lanes"]] == ["alice", "USDA", "TIM3"]
    assert [lane["kind"] for lane in flow["lanes"]] == ["wallet", "process", "process"]
    assert [(a["n"], a["parent"], a["action"], a["amount"]) for a in flow["arrows"]] == [
        (1, None, "Transfer", "5 USDA"), (2, 1, "Debit-Notice", "5 USDA"),
        (3, 1, "Credit-Notice", "5 USDA"), (4, 3, "Credit-Notice", "5 TIM3")]
    assert flow["outcome"] == {"kind": "deposit", "status": "minted",
                               "title": "Minted 5 TIM3 to alice",
                               "detail": "5 USDA is now held by TIM3 as reserve."}
    assert flow["complete"] is True


def test_flow_arrows_carry_their_tags_and_data(api, net: LocalNet):
    flow = api.get(f"/api/flow/{swap(api)}").json()

    notice = flow["arrows"][2]
    assert ["Sender", net.wallets["alice"].address] in notice["tags"]
    assert "You received 5000000000000 base units of USDA" in notice["data"]


def test_flow_events_stream_each_arrow_then_the_whole_flow(api):
    message_id = swap(api, "alice", "5")

    streamed = events(api, message_id)

    assert [name for name, _ in streamed] == ["arrow"] * 4 + ["done"]
    assert [p["arrow"]["step"] for _, p in streamed[:4]] == [
        "Transfer sent: 5 USDA from alice to TIM3", "USDA took 5 USDA from alice",
        "USDA notified TIM3 of 5 USDA from alice", "TIM3 minted 5 TIM3 to alice"]
    assert streamed[-1][1]["outcome"]["status"] == "minted"


def test_flow_of_a_pushed_message_points_to_its_whole_chain(api):
    root = swap(api, "alice", "5")
    notice = api.get(f"/api/flow/{root}").json()["arrows"][2]["id"]

    flow = api.get(f"/api/flow/{notice}").json()

    assert flow["root"] == root
    assert [a["action"] for a in flow["arrows"]] == ["Credit-Notice", "Credit-Notice"]


@pytest.mark.parametrize(("path", "status"), [
    ("/api/flow/" + "A" * 43, 404), ("/api/flow/not-an-id", 400),
    ("/api/flow/" + "A" * 43 + "/events", 404), ("/api/flow/bad/events", 400),
    ("/api/messages/" + "A" * 43, 404), ("/api/messages/bad", 400),
], ids=["flow-unknown", "flow-malformed", "events-unknown", "events-malformed",
        "message-unknown", "message-malformed"])
def test_unknown_or_malformed_message_ids_are_refused(api, path, status):
    answer = api.get(path)

    assert answer.status_code == status
    assert "error" in answer.json()


# -- explorer ------------------------------------------------------------------------------------


def test_messages_lists_the_newest_first(api):
    message_id = swap(api, "alice", "5")

    listed = api.get("/api/messages", params={"limit": 4}).json()["messages"]

    assert len(listed) == 4
    assert listed[-1]["id"] == message_id
    assert listed[0]["step"] == "TIM3 minted 5 TIM3 to alice"
    assert all(m["root"] == message_id for m in listed)


def test_messages_are_searchable_by_id(api):
    message_id = swap(api, "alice", "5")

    found = api.get("/api/messages", params={"q": message_id[:10]}).json()["messages"]

    assert [m["id"] for m in found] == [message_id]
    assert found[0]["from_name"] == "alice" and found[0]["to_name"] == "USDA"


def test_messages_of_one_process(api, net: LocalNet):
    swap(api, "alice", "5")

    listed = api.get("/api/messages", params={"process": net.processes["TIM3"]}).json()

    assert {m["to"] for m in listed["messages"]} == {net.processes["TIM3"]}


def test_message_by_id(api):
    message_id = swap(api, "alice", "5")

    body = api.get(f"/api/messages/{message_id}").json()

    assert body["id"] == message_id and body["action"] == "Transfer"


@pytest.mark.parametrize("params", [{"q": "<script>"}, {"limit": "0"}, {"limit": "many"},
                                    {"limit": "201"}, {"process": "nope"},
                                    {"process": "A" * 43}],
                         ids=["markup", "zero-limit", "word-limit", "large-limit",
                              "bad-process", "unknown-process"])
def test_messages_refuse_bad_parameters(api, params):
    answer = api.get("/api/messages", params=params)

    assert answer.status_code in (400, 404)
    assert "error" in answer.json()


def test_processes_are_listed_and_searchable_by_id_or_name(api, net: LocalNet):
    every = api.get("/api/processes").json()["processes"]
    by_name = api.get("/api/processes", params={"q": "tim"}).json()["processes"]
    by_id = api.get("/api/processes", params={"q": net.processes["USDA"][:8]}).json()

    assert {p["name"] for p in every} == {"USDA", "TIM3"}
    assert [p["id"] for p in by_name] == [net.processes["TIM3"]]
    assert [p["name"] for p in by_id["processes"]] == ["USDA"]
    assert every[0]["owner_name"] == "deployer"
