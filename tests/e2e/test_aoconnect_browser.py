"""aoconnect in a real browser page (Debian's Chromium, headless, driven by Playwright) uses the
node from another origin: dry-run, result, results paging, and message.

The page is served by a second local server (127.0.0.1, another port: another origin) and loads
aoconnect 0.0.98's browser build, a self-contained ES module, from the npm folder of
test_aoconnect.py. Every call goes cross-origin, so each test also checks what the browser did:
the node's requests carried the page's `Origin` and were answered `Access-Control-Allow-Origin:
*`, and the POSTs were preflighted (Playwright does not report preflights, Chromium's DevTools
protocol does).

Signing in the page: the browser build's `createDataItemSigner`/`createSigner` takes a browser
wallet (an `arweaveWallet`-like object: `connect`, `signDataItem`), not a JWK, so it cannot sign
on its own without a wallet extension. The message test gives it a stand-in wallet whose
`signDataItem` signs in Python with tim3's own ANS-104 code (as test_gateway_browser.py's Wander
test does); aoconnect still builds the item, asks the wallet, and posts the signed bytes itself.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromium
import pytest
from npm import ensure_installed
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from tim3.arweave import DataItem, Wallet
from tim3.devnet import Devnet
from tim3.node import LocalServer, NodeServer

AOCONNECT = Path(__file__).parent / "aoconnect"

COUNTER = """
Count = Count or 0
Handlers.add("Ping", Handlers.utils.hasMatchingTag("Action", "Ping"), function(msg)
  Count = Count + 1
  print("Count is " .. tostring(Count))
  msg.reply({ Action = "Pong", Count = tostring(Count), Data = "pong " .. tostring(Count) })
end)
"""

# The dApp: aoconnect connected to the node named in the query string (`/?node=URL`).
# `bounded` cuts every call a test makes short after 20 s, so a hung request fails the test.
PAGE = """<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>aoconnect from another origin</title>
<script type="module">
  import * as aoconnect from "/aoconnect.js";
  const node = new URL(location.href).searchParams.get("node");
  window.aoconnect = aoconnect;
  window.ao = aoconnect.connect({
    MODE: "legacy", MU_URL: node, CU_URL: node, GATEWAY_URL: node, noLog: true,
  });
  window.bounded = (call) => Promise.race([call, new Promise((_, reject) => setTimeout(
    () => reject(new Error("no answer from the node in 20 s")), 20000))]);
  document.body.dataset.ready = "true";
</script>
<body>aoconnect from another origin</body>
"""

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="Playwright for Python is not installed")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed"),
    chromium.needs_chromium,
]


class _Site(LocalServer):
    """The dApp's own origin: the page and aoconnect's browser build, on a free port."""

    def __init__(self, bundle: Path) -> None:
        super().__init__("127.0.0.1", 0)

        async def page(request: Request) -> Response:
            return HTMLResponse(PAGE)

        async def script(request: Request) -> Response:
            return FileResponse(bundle, media_type="text/javascript")

        self._serve_app(Starlette(routes=[Route("/", page), Route("/aoconnect.js", script)]))


@dataclass
class Sent:
    """A request the page made to the node, as the browser sent it and the node answered."""

    method: str
    path: str
    origin: str | None
    allow_origin: str | None


@dataclass
class Dapp:
    """The page on its own origin, aoconnect loaded, and what it sent to the node."""

    page: Any
    origin: str
    node_url: str
    errors: list[str] = field(default_factory=list)
    finished: list[Any] = field(default_factory=list)
    preflights: list[tuple[str, str | None]] = field(default_factory=list)

    def call(self, script: str, **args: Any) -> Any:
        """Run `script`, an async JS function of `args` that may use `ao` and `aoconnect`."""
        try:
            return self.page.evaluate(f"(args) => bounded(({script})(args))", args)
        except playwright_api.Error as exc:
            pytest.fail(f"aoconnect failed in the page: {exc.message}\n"
                        f"console errors: {self.errors}")

    def sent(self) -> list[Sent]:
        """The finished requests to the node, in order."""
        return [Sent(r.method, urlsplit(r.url).path, r.all_headers().get("origin"),
                     r.response().all_headers().get("access-control-allow-origin"))
                for r in self.finished if r.url.startswith(self.node_url + "/")]

    def explain(self) -> str:
        """What the page logged and sent, for an assertion message."""
        return f"console errors: {self.errors}; sent: {self.sent()}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, shared by the tests of this module."""
    yield from chromium.browser(playwright_api)


@pytest.fixture(scope="module")
def site() -> Iterator[_Site]:
    """The dApp's origin, serving aoconnect's browser build from the npm folder of the suite."""
    modules = ensure_installed(AOCONNECT, "@permaweb/aoconnect")
    with _Site(modules / "@permaweb/aoconnect/dist/browser.js") as server:
        yield server


@pytest.fixture
def node(devnet: Devnet) -> Iterator[NodeServer]:
    """The test devnet served over HTTP on a free port of 127.0.0.1."""
    with NodeServer(devnet, port=0) as server:
        yield server


@pytest.fixture
def counter(devnet: Devnet, deployer: Wallet) -> str:
    """A process counting Ping messages, printing the count and answering each with a Pong."""
    return devnet.spawn(deployer, COUNTER, tags={"Name": "counter"})


@pytest.fixture
def dapp(browser: Any, site: _Site, node: NodeServer) -> Iterator[Dapp]:
    """The dApp page open in a fresh browser context, aoconnect connected to the node."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    dapp = Dapp(page, site.url, node.url)
    page.on("pageerror", lambda exc: dapp.errors.append(str(exc)))
    page.on("console", lambda m: dapp.errors.append(m.text) if m.type == "error" else None)
    page.on("requestfinished", lambda r: dapp.finished.append(r))
    page.on("requestfailed", lambda r: dapp.errors.append(f"{r.method} {r.url}: {r.failure}"))

    def seen(event: dict[str, Any]) -> None:
        request = event["request"]
        if request["method"] == "OPTIONS" and request["url"].startswith(node.url + "/"):
            dapp.preflights.append((urlsplit(request["url"]).path,
                                    request["headers"].get("Origin")))
    devtools = context.new_cdp_session(page)
    devtools.on("Network.requestWillBeSent", seen)
    devtools.send("Network.enable")
    page.goto(f"{site.url}/?node={node.url}")
    page.wait_for_selector("body[data-ready=true]")
    yield dapp
    context.close()
    assert dapp.errors == [], f"the page logged errors: {dapp.errors}"


def _tags(raw: list[dict[str, str]]) -> dict[str, str]:
    return {t["name"]: t["value"] for t in raw}


def test_a_dry_run_from_another_origin_is_preflighted_and_answered(
        dapp: Dapp, devnet: Devnet, counter: str) -> None:
    before = len(devnet.messages(counter))

    answer = dapp.call("""async ({ process }) =>
      ao.dryrun({ process, tags: [{ name: "Action", value: "Ping" }] })""", process=counter)

    reply = answer["Messages"][0]
    assert reply["Data"] == "pong 1", dapp.explain()
    assert _tags(reply["Tags"])["Action"] == "Pong"
    assert answer["Output"]["data"] == "Count is 1"
    assert len(devnet.messages(counter)) == before
    assert dapp.preflights == [("/dry-run", dapp.origin)], dapp.explain()
    assert dapp.sent() == [Sent("POST", "/dry-run", dapp.origin, "*")]


def test_a_result_from_another_origin_reads_a_message_sent_from_python(
        dapp: Dapp, devnet: Devnet, counter: str, alice: Wallet) -> None:
    ping = devnet.send(alice, counter, tags={"Action": "Ping"})

    result = dapp.call("""async ({ process, message }) => ao.result({ process, message })""",
                       process=counter, message=ping.id)

    reply = result["Messages"][0]
    assert reply["Data"] == "pong 1", dapp.explain()
    assert reply["Target"] == alice.address
    assert _tags(reply["Tags"])["Count"] == "1"
    assert result["Output"]["data"] == "Count is 1"
    assert dapp.sent() == [Sent("GET", f"/result/{ping.id}", dapp.origin, "*")]


def test_results_from_another_origin_page_through_a_process_with_cursors(
        dapp: Dapp, devnet: Devnet, counter: str, alice: Wallet) -> None:
    for _ in range(3):
        devnet.send(alice, counter, tags={"Action": "Ping"})

    pages = dapp.call("""async ({ process }) => {
      const first = await ao.results({ process, limit: 2 });
      const from = first.edges[first.edges.length - 1].cursor;
      const second = await ao.results({ process, from, limit: 2 });
      const newest = await ao.results({ process, sort: "DESC", limit: 1 });
      return { first, second, newest };
    }""", process=counter)

    first, second = pages["first"]["edges"], pages["second"]["edges"]
    # Four results: the spawn, then three Pings.
    assert len(first) == 2, dapp.explain()
    assert [_tags(e["node"]["Messages"][0]["Tags"])["Count"] for e in second] == ["2", "3"]
    assert len({e["cursor"] for e in first + second}) == 4
    assert pages["newest"]["edges"][0]["node"]["Messages"][0]["Data"] == "pong 3"
    assert [(s.path, s.origin, s.allow_origin) for s in dapp.sent()] == \
        [(f"/results/{counter}", dapp.origin, "*")] * 3


def test_a_message_signed_by_a_wallet_in_the_page_is_sent_and_its_result_read(
        dapp: Dapp, devnet: Devnet, counter: str, bob: Wallet) -> None:
    def sign(item: dict[str, Any]) -> str:
        assert isinstance(item["data"], str), f"aoconnect asked to sign data {item['data']!r}"
        signed = DataItem.create(bob, item["data"], target=item["target"],
                                 anchor=item.get("anchor") or None,
                                 tags=[(t["name"], t["value"]) for t in item["tags"]])
        return base64.b64encode(signed.raw).decode()
    dapp.page.expose_function("tim3Sign", sign)

    sent = dapp.call("""async ({ process }) => {
      // What aoconnect asks of a browser wallet such as Wander; the signing happens in Python.
      const wallet = {
        connect: async () => {},
        signDataItem: async (item) =>
          Uint8Array.from(atob(await tim3Sign(item)), (c) => c.charCodeAt(0)),
      };
      const signer = aoconnect.createDataItemSigner(wallet);
      const message = await ao.message({
        process, signer, tags: [{ name: "Action", value: "Ping" }], data: "from the page",
      });
      return { message, result: await ao.result({ process, message }) };
    }""", process=counter)

    stored = devnet.message(sent["message"])
    assert stored.owner == bob.address, dapp.explain()
    assert stored.data == "from the page"
    assert stored.tag("SDK") == "aoconnect"
    reply = sent["result"]["Messages"][0]
    assert reply["Data"] == "pong 1"
    assert reply["Target"] == bob.address
    assert dapp.preflights == [("/", dapp.origin)], dapp.explain()
    assert dapp.sent() == [Sent("POST", "/", dapp.origin, "*"),
                           Sent("GET", f"/result/{sent['message']}", dapp.origin, "*")]
