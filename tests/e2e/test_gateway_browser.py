"""The web gateway in a real browser (Debian's Chromium, headless, driven by Playwright): swap,
redeem, the over-balance error, the paused refund, the amount field, Wander, phone width.

Each step leaves a screenshot in test-artifacts/gateway/ (git-ignored).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import chromium
import httpx
import pytest

from tim3.app import GatewayServer, LocalChain
from tim3.arweave import DataItem
from tim3.devnet import DevnetConfig
from tim3.ops import LocalNet, start_local

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "gateway"
USDA = 10**12

playwright_api = pytest.importorskip("playwright.sync_api",
                                     reason="Playwright for Python is not installed")
expect = playwright_api.expect
pytestmark = chromium.needs_chromium


@dataclass
class Site:
    """A fresh local environment, its gateway, and the page showing it."""

    net: LocalNet
    url: str
    page: object
    name: str
    shots: int = 0

    def shot(self, step: str) -> None:
        """Save a screenshot of this step."""
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.shots:02d}-{step}.png"),
                             full_page=True)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.url + path)
        self.page.wait_for_selector("body[data-ready=true]")

    def api(self, method: str, path: str, **kw: object) -> httpx.Response:
        return httpx.request(method, self.url + path, timeout=30, **kw)

    def balance(self, token: str, wallet: str) -> int:
        return self.net.balance(token, self.net.wallets[wallet].address)

    def arrows(self, box: str) -> list[tuple[str, str, str]]:
        return [(g.get_attribute("data-from"), g.get_attribute("data-action"),
                 g.get_attribute("data-to"))
                for g in self.page.locator(f"#{box} g.arrow").all()]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Chromium, shared by the tests of this module."""
    yield from chromium.browser(playwright_api)


@pytest.fixture
def site(browser, request) -> Iterator[Site]:
    """A new devnet with alice and bob (1000 USDA each), its gateway, and a desktop page."""
    net = start_local(None, ("alice", "bob"), config=DevnetConfig.for_tests())
    errors: list[str] = []
    with GatewayServer(LocalChain.from_localnet(net), port=0) as gateway:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield Site(net, gateway.url, page, request.node.name)
        context.close()
    net.devnet.close()
    assert errors == [], f"the page logged errors: {errors}"


def fill_amount(site: Site, text: str) -> None:
    box = site.page.locator("#amount")
    box.fill("")
    box.press_sequentially(text)


def confirm(site: Site, summary: str) -> None:
    """Press Swap / Redeem, check the confirmation, sign."""
    site.page.locator("#swap-button").click()
    dialog = site.page.locator("dialog#confirm")
    expect(dialog).to_be_visible()
    expect(site.page.locator("#confirm-summary")).to_have_text(summary)
    site.shot("confirm")
    site.page.locator("#confirm-sign").click()


def test_a_swap_through_the_page_mints_tim3_and_draws_its_flow(site):
    tim3 = site.net.processes["TIM3"]
    site.open()
    expect(site.page.locator("#bal-USDA")).to_have_text("1000 USDA")
    site.shot("start")

    fill_amount(site, "5")
    expect(site.page.locator("#receive")).to_have_text("You will receive 5 TIM3")
    site.shot("amount")
    confirm(site, f"Transfer 5 USDA to the TIM3 process {tim3}")

    outcome = site.page.locator("#outcome")
    expect(outcome).to_have_attribute("data-status", "minted")
    expect(outcome).to_contain_text("Minted 5 TIM3 to alice")
    expect(site.page.locator("#steps li")).to_have_text([
        "Transfer sent: 5 USDA from alice to TIM3", "USDA took 5 USDA from alice",
        "USDA notified TIM3 of 5 USDA from alice", "TIM3 minted 5 TIM3 to alice"])
    expect(site.page.locator("#bal-TIM3")).to_have_text("5 TIM3")
    expect(site.page.locator("#bal-USDA")).to_have_text("995 USDA")
    expect(site.page.locator("#r-supply")).to_have_text("5 TIM3")
    site.shot("minted")
    assert site.arrows("progress-flow") == [
        ("alice", "Transfer", "USDA"), ("USDA", "Debit-Notice", "alice"),
        ("USDA", "Credit-Notice", "TIM3"), ("TIM3", "Credit-Notice", "alice")]
    assert site.balance("TIM3", "alice") == 5 * USDA
    assert site.balance("USDA", "alice") == 995 * USDA

    site.page.locator("#progress-link").click()
    expect(site.page).to_have_url(re.compile(r"#/flow/[A-Za-z0-9_-]{43}$"))
    expect(site.page.locator("#flow-outcome")).to_have_attribute("data-status", "minted")
    site.page.locator("#flow-diagram g.arrow[data-n='3']").focus()
    site.page.keyboard.press("Enter")
    details = site.page.locator("#arrow-details")
    expect(details).to_be_visible()
    expect(details).to_contain_text("USDA notified TIM3 of 5 USDA from alice")
    expect(details.locator("table.tags")).to_contain_text(site.net.wallets["alice"].address)
    site.shot("flow-details")


def test_a_redeem_through_the_page_pays_usda_back(site):
    site.api("POST", "/api/swap", json={"wallet": "alice", "amount": "5"})
    site.open()

    site.page.get_by_label("TIM3 → USDA").check()
    expect(site.page.locator("#swap-button")).to_have_text("Redeem")
    expect(site.page.locator("#pay-balance")).to_have_text("5 TIM3")
    fill_amount(site, "2")
    expect(site.page.locator("#receive")).to_have_text("You will receive 2 USDA")
    site.shot("amount")
    confirm(site, f"Redeem 2 TIM3 at the TIM3 process {site.net.processes['TIM3']}")

    expect(site.page.locator("#outcome")).to_have_attribute("data-status", "redeemed")
    expect(site.page.locator("#outcome")).to_contain_text("Redeemed 2 TIM3 for 2 USDA")
    expect(site.page.locator("#bal-TIM3")).to_have_text("3 TIM3")
    expect(site.page.locator("#bal-USDA")).to_have_text("997 USDA")
    site.shot("redeemed")
    assert site.arrows("progress-flow") == [
        ("alice", "Redeem", "TIM3"), ("TIM3", "Transfer", "USDA"),
        ("USDA", "Debit-Notice", "TIM3"), ("USDA", "Credit-Notice", "alice"),
        ("TIM3", "Redeem-Notice", "alice")]
    assert site.balance("USDA", "alice") == 997 * USDA


def test_an_over_balance_swap_shows_not_enough_usda(site):
    site.open()

    fill_amount(site, "5000")

    expect(site.page.locator("#amount-error")).to_have_text("Not enough USDA: you have 1000 USDA.")
    expect(site.page.locator("#swap-button")).to_be_disabled()
    site.shot("refused-before-signing")

    # Balances can be stale (another tab spent the USDA): then USDA itself refuses, and the
    # flow says so in the same words.
    sent = site.api("POST", "/api/swap", json={"wallet": "alice", "amount": "5000"}).json()
    site.page.goto(f"{site.url}/#/flow/{sent['id']}")
    outcome = site.page.locator("#flow-outcome")
    expect(outcome).to_have_attribute("data-status", "failed")
    expect(outcome).to_contain_text(
        "Not enough USDA: alice has 1000 USDA and tried to send 5000 USDA.")
    error_arrow = site.page.locator("#flow-diagram g.arrow[data-tone='error']")
    expect(error_arrow).to_have_attribute("data-action", "Transfer-Error")
    site.shot("refused-by-usda")
    assert site.balance("USDA", "alice") == 1000 * USDA


def test_a_swap_while_minting_is_paused_is_refunded_and_says_why(site):
    owner = site.net.deployer
    pause = DataItem.create(owner, "", target=site.net.processes["TIM3"], tags=[
        ("Action", "Pause-Mint"), ("Data-Protocol", "ao"), ("Variant", "ao.TN.1"),
        ("Type", "Message")])
    assert site.api("POST", "/api/submit", content=pause.raw).status_code == 200
    site.open()
    expect(site.page.locator("#pause-warning")).to_be_visible()

    fill_amount(site, "1")
    site.shot("paused-warning")
    confirm(site, f"Transfer 1 USDA to the TIM3 process {site.net.processes['TIM3']}")

    outcome = site.page.locator("#outcome")
    expect(outcome).to_have_attribute("data-status", "refunded")
    expect(outcome).to_contain_text("Refunded: Minting is paused; your USDA was returned")
    expect(site.page.locator("#steps")).to_contain_text("Refund: USDA returned 1 USDA to alice")
    expect(site.page.locator("#bal-USDA")).to_have_text("1000 USDA")
    site.shot("refunded")
    tones = [g.get_attribute("data-tone")
             for g in site.page.locator("#progress-flow g.arrow").all()]
    assert tones.count("refund") >= 2
    assert site.balance("TIM3", "alice") == 0


@pytest.mark.parametrize(("typed", "kept", "words"), [
    ("abc", "", "Type digits and at most one '.'."),
    ("1.2.", "1.2", "Type digits and at most one '.'."),
    ("5-", "5", "Type digits and at most one '.'."),
    (".", "", "Start with a digit, like 0.5."),
    ("05", "0", "Remove the leading zero."),
    ("1.0000000000019", "1.000000000001", "USDA has at most 12 decimals."),
], ids=["letters", "two-points", "minus", "leading-point", "leading-zero", "thirteen-decimals"])
def test_the_amount_field_refuses_what_is_not_an_amount_as_you_type(site, typed, kept, words):
    site.open()

    fill_amount(site, typed)

    expect(site.page.locator("#amount")).to_have_value(kept)
    expect(site.page.locator("#amount-error")).to_have_text(words)
    site.shot("refused")


def test_wander_signs_in_the_browser_and_the_server_only_forwards(site):
    bob = site.net.wallets["bob"]

    def sign(item_json: str) -> str:
        item = json.loads(item_json)
        signed = DataItem.create(bob, item["data"], target=item["target"],
                                 tags=[(t["name"], t["value"]) for t in item["tags"]])
        return base64.b64encode(signed.raw).decode()

    site.page.expose_function("tim3TestSign", sign)
    site.page.add_init_script(f"""
      window.arweaveWallet = {{
        connect: async () => {{}},
        getActiveAddress: async () => "{bob.address}",
        signDataItem: async (item) => {{
          const b64 = await window.tim3TestSign(JSON.stringify(item));
          return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
        }},
      }};""")
    site.open()
    site.page.get_by_label("Wallet").select_option("wander")
    site.page.get_by_role("button", name="Connect Wander").click()
    expect(site.page.locator("#wallet-note")).to_contain_text(f"Wander connected: {bob.address}")

    fill_amount(site, "2")
    site.page.locator("#swap-button").click()
    expect(site.page.locator("#confirm-signer")).to_have_text(
        "Wander will ask you to sign this message.")
    site.page.locator("#confirm-sign").click()

    expect(site.page.locator("#outcome")).to_have_attribute("data-status", "minted")
    site.shot("minted")
    assert site.balance("TIM3", "bob") == 2 * USDA
    first = site.net.devnet.messages()[-4]
    assert first.owner == bob.address and first.action == "Transfer"


def test_explorer_finds_the_swap_and_the_environment_names_the_processes(site):
    sent = site.api("POST", "/api/swap", json={"wallet": "bob", "amount": "3"}).json()
    site.open("/#/explorer")

    site.page.get_by_label("Search messages and processes by id").fill(sent["id"][:12])
    site.page.get_by_role("button", name="Search").click()

    rows = site.page.locator("#messages tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bob → USDA")
    site.shot("explorer")
    rows.first.get_by_role("link").click()
    expect(site.page.locator("#flow-outcome")).to_contain_text("Minted 3 TIM3 to bob")
    site.page.get_by_role("link", name="Environment").click()
    expect(site.page.locator("#environment")).to_contain_text(site.net.processes["TIM3"])
    expect(site.page.locator("#environment")).to_contain_text(site.net.processes["USDA"])
    site.shot("environment")


def test_the_page_fits_a_phone_screen(site):
    site.api("POST", "/api/swap", json={"wallet": "alice", "amount": "5"})
    site.page.set_viewport_size({"width": 375, "height": 740})
    site.open()
    fill_amount(site, "1")

    overflow = site.page.evaluate("document.documentElement.scrollWidth - innerWidth")
    site.shot("swap")
    confirm(site, f"Transfer 1 USDA to the TIM3 process {site.net.processes['TIM3']}")
    expect(site.page.locator("#outcome")).to_have_attribute("data-status", "minted")
    site.shot("progress")

    assert overflow <= 0
    assert site.page.evaluate("document.documentElement.scrollWidth - innerWidth") <= 0
