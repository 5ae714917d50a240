"""Fixtures for the operator CLI tests: an isolated working folder, a local devnet, a runner."""

import json

import pytest
from typer.testing import CliRunner

from tim3.cli import app
from tim3.ops.local import start_local

_VARS = ("TIM3_ENV", "TIM3_ENVIRONMENTS", "TIM3_WALLET", "TIM3_DEVNET_DATA", "TIM3_NODE_URL")


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Every test runs in its own folder with no TIM3_* variables from the caller."""
    for name in _VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def devnet_dir(tmp_path, monkeypatch):
    """A local devnet (USDA and TIM3 deployed, alice and bob funded) that --env local uses."""
    folder = tmp_path / "devnet"
    start_local(folder, ("alice", "bob")).devnet.close()
    monkeypatch.setenv("TIM3_DEVNET_DATA", str(folder))
    return folder


class Run:
    """Invoke `tim3 …` in process; `.json(...)` also parses stdout."""

    def __init__(self):
        self.runner = CliRunner()

    def __call__(self, *args, input=None):
        return self.runner.invoke(app, [str(a) for a in args], input=input)

    def json(self, *args, input=None):
        result = self(*args, "--json", input=input)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)


@pytest.fixture
def tim3():
    """Run the tim3 CLI: tim3("verify") → a Click result; tim3.json("deploy") → parsed JSON."""
    return Run()
