"""`tim3 devnet`: the startup screen, reuse of the data folder, JSON, errors."""

import json

from typer.testing import CliRunner

from tim3.cli import app

runner = CliRunner()


def test_devnet_deploys_usda_and_funds_wallets(tmp_path):
    result = runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--wallets", "alice,bob"])

    assert result.exit_code == 0, result.output
    assert "alice     jfBP6noxOc-GVyz2EvWFfbUXMSPF-IIL1teiqDsjUMI  1000 USDA" in result.output
    assert "USDA      " in result.output and "TIM3      " in result.output
    assert str(tmp_path / "devnet.sqlite") in result.output


def test_a_second_start_reuses_the_data(tmp_path):
    first = runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--json", "--wallets", "alice"])
    second = runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--json", "--wallets", "alice"])

    a, b = json.loads(first.output), json.loads(second.output)
    assert a["processes"] == b["processes"]
    assert not a["reused"] and b["reused"]
    assert b["wallets"]["alice"]["balances"]["USDA"] == str(1000 * 10**12)


def test_a_second_start_shows_how_the_replay_of_a_long_log_is_going(tmp_path, monkeypatch):
    from tim3.devnet import network

    runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--wallets", "alice"])
    monkeypatch.setattr(network, "REPLAY_REPORT_S", 0.0)     # every chain counts as "long"
    second = runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--json",
                                 "--wallets", "alice"])

    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["reused"]              # progress stays off stdout
    lines = [line for line in second.stderr.splitlines() if "Replaying" in line]
    assert lines and lines[-1].startswith("… Replaying the devnet's log: ")
    done, total = lines[-1].removeprefix("… Replaying the devnet's log: ").split(" of ")
    assert done == total.removesuffix(" messages")


def test_fund_accepts_decimals_exactly(tmp_path):
    result = runner.invoke(app, ["devnet", "--no-serve", "--data", str(tmp_path), "--json", "--wallets", "bob",
                                 "--fund", "0.000000000001"])

    assert json.loads(result.output)["wallets"]["bob"]["balances"]["USDA"] == "1"


def test_a_bad_amount_is_one_clear_error(tmp_path):
    import sys

    from tim3.cli import main

    argv = sys.argv
    sys.argv = ["tim3", "devnet", "--no-serve", "--data", str(tmp_path), "--fund", "1.2.3"]
    try:
        try:
            main()
        except SystemExit as exc:
            code = exc.code
    finally:
        sys.argv = argv

    assert code == 1


def test_version_and_help():
    assert runner.invoke(app, ["--version"]).output.startswith("tim3 ")
    assert "Start the local AO devnet" in runner.invoke(app, ["devnet", "--help"]).output
