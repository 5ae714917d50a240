"""HttpNetwork over real sockets: retries with backoff for transient failures, clear errors for
everything else (refusals, unreachable nodes, timeouts, answers that are not AO JSON)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tim3.arweave import DataItem, Wallet
from tim3.client import HttpNetwork
from tim3.devnet import MODULE_ID, Devnet
from tim3.errors import ClientError
from tim3.node import NodeServer

PID = "P" * 43
MID = "M" * 43
RESULT = {"Output": "", "Messages": [], "Spawns": [], "Assignments": []}

Serve = Callable[[Starlette], str]


def _flaky_app(answers: list[Response]) -> tuple[Starlette, list[str]]:
    """An app answering every request with the next of `answers` (the last one repeats)."""
    hits: list[str] = []

    async def answer(request: Request) -> Response:
        hits.append(f"{request.method} {request.url.path}")
        return answers[min(len(hits), len(answers)) - 1]

    routes = [Route("/{path:path}", answer, methods=["GET", "POST"])]
    return Starlette(routes=routes), hits


@pytest.fixture
def clients() -> Iterator[list[HttpNetwork]]:
    """Every HttpNetwork a test opens, closed afterwards."""
    opened: list[HttpNetwork] = []
    yield opened
    for net in opened:
        net.close()


@pytest.fixture
def client(clients: list[HttpNetwork]) -> Callable[..., HttpNetwork]:
    """Make an HttpNetwork for one URL whose backoff waits are recorded in `delays`."""

    def make(url: str, wallet: Wallet, delays: list[float], **options: object) -> HttpNetwork:
        settings: dict = {"timeout": 5.0, "retries": 3, "backoff": 0.01, "sleep": delays.append}
        settings.update(options)
        net = HttpNetwork(url, url, wallet=wallet, **settings)
        clients.append(net)
        return net

    return make


def test_a_503_twice_then_200_is_retried_with_doubling_backoff(serve: Serve, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    busy = JSONResponse({"error": "warming up"}, status_code=503)
    app, hits = _flaky_app([busy, busy, JSONResponse(RESULT)])
    delays: list[float] = []
    net = client(serve(app), alice, delays)

    result = net.result(PID, MID)

    assert dict(result) == RESULT
    assert hits == [f"GET /result/{MID}"] * 3
    assert delays == [0.01, 0.02]


def test_a_real_backoff_waits_and_stays_bounded(serve: Serve, alice: Wallet) -> None:
    busy = JSONResponse({"error": "warming up"}, status_code=503)
    app, hits = _flaky_app([busy, busy, JSONResponse(RESULT)])
    url = serve(app)

    with HttpNetwork(url, url, wallet=alice, retries=3, backoff=0.01) as net:
        result = net.result(PID, MID)

    assert result.ok
    assert len(hits) == 3


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_every_transient_status_is_retried(serve: Serve, alice: Wallet, status: int,
        client: Callable[..., HttpNetwork]) -> None:
    app, hits = _flaky_app([JSONResponse({"error": "later"}, status_code=status),
                            JSONResponse({"pageInfo": {"hasNextPage": False}, "edges": []})])
    net = client(serve(app), alice, [])

    page = net.results(PID)

    assert page.edges == []
    assert len(hits) == 2


def test_retry_after_is_honoured_up_to_max_backoff(serve: Serve, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    limited = JSONResponse({"error": "Rate limit exceeded"}, status_code=429,
                           headers={"Retry-After": "120"})
    app, _ = _flaky_app([limited, JSONResponse(RESULT)])
    delays: list[float] = []
    net = client(serve(app), alice, delays, max_backoff=0.5)

    net.dry_run(PID, {"Action": "Balance"})

    assert delays == [0.5]


def test_a_result_in_progress_202_is_asked_again_until_it_is_ready(serve: Serve,
                                                                   alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    busy = JSONResponse({"message": f"Evaluation of process \"{PID}\" to \"{MID}\" is in "
                                    "progress."}, status_code=202)
    app, hits = _flaky_app([busy, busy, busy, JSONResponse(RESULT)])
    delays: list[float] = []
    net = client(serve(app), alice, delays)

    result = net.result(PID, MID)

    assert result.ok
    assert len(hits) == 4
    assert delays == [0.01, 0.02, 0.04]


def test_a_transient_failure_that_outlasts_the_retries_quotes_the_status(
        serve: Serve, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    app, hits = _flaky_app([JSONResponse({"error": "CU overloaded"}, status_code=503)])
    delays: list[float] = []
    net = client(serve(app), alice, delays, retries=2)

    with pytest.raises(ClientError, match=r"answered 503: 'CU overloaded' after 3 tries") as err:
        net.results(PID)

    assert err.value.status == 503  # type: ignore[attr-defined]
    assert len(hits) == 3
    assert "try again later" in str(err.value)


def test_a_4xx_is_not_retried_and_quotes_the_server_error(node: NodeServer, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    delays: list[float] = []
    net = client(node.url, alice, delays)

    with pytest.raises(ClientError) as err:
        net.result("not-a-process", MID)

    message = str(err.value)
    assert err.value.status == 400  # type: ignore[attr-defined]
    assert "answered 400" in message
    assert "'not-a-process' is not a valid process-id" in message
    assert "fix the value" in message
    assert delays == []


def test_an_unknown_process_says_which_network_was_asked(node: NodeServer, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    net = client(node.url, alice, [])

    with pytest.raises(ClientError, match=f"'{PID}' is not on this devnet") as err:
        net.results(PID)

    assert err.value.status == 404  # type: ignore[attr-defined]
    assert f"belongs to the network at {node.url}" in str(err.value)


def test_an_unreachable_node_is_retried_then_says_to_start_one(closed_port: int,
                                                               alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    delays: list[float] = []
    net = client(f"http://127.0.0.1:{closed_port}", alice, delays, retries=2)

    with pytest.raises(ClientError, match="cannot connect") as err:
        net.result(PID, MID)

    assert err.value.status is None  # type: ignore[attr-defined]
    assert f"127.0.0.1:{closed_port}" in str(err.value)
    assert "after 3 tries" in str(err.value)
    assert "Is the node running?" in str(err.value)
    assert delays == [0.01, 0.02]


def test_a_message_to_an_unreachable_node_is_a_client_error(closed_port: int,
                                                            alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    net = client(f"http://127.0.0.1:{closed_port}", alice, [], retries=0)

    with pytest.raises(ClientError, match="Sending a message .* cannot connect"):
        net.message(PID, {"Action": "Ping"})


def test_a_read_that_times_out_is_retried_then_names_the_timeout(silent_port: int,
                                                                 alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    delays: list[float] = []
    net = client(f"http://127.0.0.1:{silent_port}", alice, delays, timeout=0.2, retries=1)

    with pytest.raises(ClientError, match=r"no answer within 0.2 s after 2 tries") as err:
        net.results(PID)

    assert "pass a larger timeout=" in str(err.value)
    assert delays == [0.01]


def test_a_message_that_times_out_is_not_sent_twice(silent_port: int, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    delays: list[float] = []
    net = client(f"http://127.0.0.1:{silent_port}", alice, delays, timeout=0.2)

    with pytest.raises(ClientError, match="may still have been delivered"):
        net.message(PID, {"Action": "Ping"})

    assert delays == []


@pytest.mark.parametrize(("status", "taken"), [(502, "maybe"), (504, "maybe"), (429, "no"),
                                               (503, "no")])
def test_a_message_is_sent_again_only_when_the_unit_cannot_have_taken_it(
        serve: Serve, alice: Wallet, status: int, taken: str,
        client: Callable[..., HttpNetwork]) -> None:
    # 502 and 504 are a proxy speaking for the unit behind it, which may have taken the item.
    app, hits = _flaky_app([JSONResponse({"error": "upstream trouble"}, status_code=status),
                            JSONResponse({"id": MID, "message": "Processing DataItem"})])
    delays: list[float] = []
    net = client(serve(app), alice, delays)

    if taken == "maybe":
        with pytest.raises(ClientError, match="may still have taken the item") as err:
            net.message(PID, {"Action": "Ping"})
        assert err.value.status == status  # type: ignore[attr-defined]
        assert (hits, delays) == (["POST /"], [])
    else:
        net.message(PID, {"Action": "Ping"})
        assert hits == ["POST /", "POST /"]


def test_an_answer_that_is_not_json_is_a_client_error(serve: Serve, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    app, _ = _flaky_app([PlainTextResponse("ao messenger unit")])
    net = client(serve(app), alice, [])

    with pytest.raises(ClientError, match="not a JSON object: 'ao messenger unit'"):
        net.result(PID, MID)


def test_a_bad_target_is_refused_before_anything_is_sent(serve: Serve, alice: Wallet,
        client: Callable[..., HttpNetwork]) -> None:
    app, hits = _flaky_app([JSONResponse(RESULT)])
    net = client(serve(app), alice, [])

    with pytest.raises(ClientError, match="Cannot build the data item"):
        net.message("short", {"Action": "Ping"})

    assert hits == []


def test_spawn_checks_the_module_on_the_gateway(node: NodeServer, devnet: Devnet,
                                                alice: Wallet) -> None:
    before = len(devnet.processes())

    with HttpNetwork.for_node(node.url, alice) as net, \
            pytest.raises(ClientError, match=f"Module '{PID}' is not on the gateway"):
        net.spawn(PID, devnet.su.address, {"Authority": devnet.mu.address})

    assert len(devnet.processes()) == before


def test_spawn_without_a_gateway_skips_the_module_check(node: NodeServer, devnet: Devnet,
                                                        alice: Wallet) -> None:
    with HttpNetwork(node.url, node.url, gateway_url=None, wallet=alice) as net:
        pid = net.spawn(MODULE_ID, devnet.su.address, {"Name": "bare"})

    assert devnet.process(pid).name == "bare"
    assert devnet.process(pid).owner == alice.address


def test_an_item_signed_elsewhere_is_sent_as_is(node: NodeServer, devnet: Devnet,
                                                alice: Wallet) -> None:
    pid = devnet.spawn(alice, 'Handlers.add("p", "Ping", function(m) m.reply({Data = "pong"}) end)')
    item = DataItem.create(alice, "signed before", target=pid, tags=[
        ("Action", "Ping"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"), ("Type", "Message")])

    with HttpNetwork.for_node(node.url, alice) as net:
        mid = net.send_signed(item)
        result = net.result(pid, mid)

    assert mid == item.id
    assert devnet.message(mid).data == "signed before"
    assert result.messages[0].data == "pong"
