"""The official AO JavaScript client (aoconnect 0.0.98, legacy mode) works against the node.

Runs tests/e2e/aoconnect/aoconnect.mjs with Node: spawn, Eval a handler, message it, result,
results paging, dry-run, monitor. Installs its one npm dependency on first use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from npm import ensure_installed

from tim3.arweave import Wallet
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.node import NodeServer

HERE = Path(__file__).parent / "aoconnect"

GREETER = """
Greeted = Greeted or 0
Handlers.add("Greet", Handlers.utils.hasMatchingTag("Action", "Greet"), function(msg)
  Greeted = Greeted + 1
  msg.reply({ Action = "Greeting", Count = tostring(Greeted), Data = "hello " .. msg.Who })
end)
Handlers.add("Count", Handlers.utils.hasMatchingTag("Action", "Count"), function(msg)
  msg.reply({ Action = "Greet-Count", Data = tostring(Greeted) })
end)
"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The script's node_modules, installed with npm if missing."""
    return ensure_installed(HERE, "@permaweb/aoconnect")


def _tags(raw: list[dict[str, str]]) -> dict[str, str]:
    return {t["name"]: t["value"] for t in raw}


@pytest.fixture(scope="module")
def session(node_modules: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Run aoconnect.mjs once against a fresh node; yields (its JSON output, devnet, alice)."""
    tmp = tmp_path_factory.mktemp("aoconnect")
    alice = Wallet.from_name("alice")
    alice.save(tmp / "alice.json")
    with Devnet(config=DevnetConfig.for_tests()) as devnet, NodeServer(devnet, port=0) as node:
        spec = {"url": node.url, "module": MODULE_ID, "scheduler": devnet.su.address,
                "authority": devnet.mu.address, "handler": GREETER}
        (tmp / "spec.json").write_text(json.dumps(spec))
        done = subprocess.run(["node", "aoconnect.mjs", str(tmp / "spec.json"),
                               str(tmp / "alice.json")],
                              cwd=HERE, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, f"aoconnect.mjs failed:\n{done.stderr}\n{done.stdout}"
        yield json.loads(done.stdout.strip().splitlines()[-1]), devnet, alice


def test_aoconnect_spawns_a_process_owned_by_its_signer(session: Any) -> None:
    seen, devnet, alice = session

    process = devnet.process(seen["processId"])

    assert process.owner == alice.address
    assert process.tag("Authority") == devnet.mu.address
    assert process.tag("Module") == MODULE_ID
    assert process.tag("Scheduler") == devnet.su.address
    assert process.tag("SDK") == "aoconnect"


def test_aoconnect_evals_a_handler_that_its_messages_then_reach(session: Any) -> None:
    seen, devnet, alice = session

    greeting = seen["greetResult"]["Messages"][0]

    assert "Error" not in seen["evalResult"]
    assert devnet.message(seen["evalId"]).tag("Action") == "Eval"
    assert greeting["Target"] == alice.address
    assert greeting["Data"] == "hello cy"
    assert _tags(greeting["Tags"])["Count"] == "3"
    assert [devnet.message(i).tag("Who") for i in seen["greetIds"]] == ["ann", "ben", "cy"]


def test_aoconnect_pages_results_with_cursors(session: Any) -> None:
    seen, _, _ = session

    first, second = seen["firstPage"]["edges"], seen["secondPage"]["edges"]

    # Five results: the spawn, the Eval, three Greets (aoconnect strips pageInfo).
    assert len(first) == 2
    assert [_tags(e["node"]["Messages"][0]["Tags"])["Count"] for e in second] == ["1", "2"]
    assert len({e["cursor"] for e in first + second}) == 4
    newest = seen["newest"]["edges"][0]["node"]["Messages"][0]
    assert newest["Data"] == "hello cy"


def test_aoconnect_dry_run_reads_state_without_changing_it(session: Any) -> None:
    seen, devnet, _ = session

    answer = seen["dryRun"]["Messages"][0]

    assert answer["Data"] == "3"
    assert _tags(answer["Tags"])["Action"] == "Greet-Count"
    assert len(devnet.messages(seen["processId"])) == 5


def test_aoconnect_monitor_and_unmonitor_are_accepted(session: Any) -> None:
    seen, _, _ = session

    assert isinstance(seen["monitorId"], str)
    assert len(seen["monitorId"]) == 43
