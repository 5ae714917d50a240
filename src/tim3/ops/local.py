"""The local environment: a durable devnet with the mock USDA and TIM3 deployed, wallets funded."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tim3.arweave import Wallet
from tim3.devnet import MODULE_ID, Devnet, DevnetConfig
from tim3.processes import source
from tim3.units import format_amount

__all__ = ["DEFAULT_WALLETS", "LocalNet", "start_local"]

DEFAULT_WALLETS = ("alice", "bob", "carol", "dave")
DEPLOYER = "deployer"
USDA_DENOMINATION = 12
DEFAULT_FUND = 1_000 * 10**USDA_DENOMINATION   # 1,000 USDA per dev wallet
_DEPLOYMENT = "deployment.json"
_TOKENS = ("USDA", "TIM3")


@dataclass
class LocalNet:
    """A running local environment: the devnet, its wallets and the deployed processes."""

    devnet: Devnet
    deployer: Wallet
    wallets: dict[str, Wallet]
    processes: dict[str, str]
    data_dir: Path | None
    fresh: bool = True
    endpoints: dict[str, str] = field(default_factory=dict)

    @property
    def tokens(self) -> list[str]:
        """The processes that are tokens (the others `tim3 deploy` recorded are not)."""
        return [t for t in self.processes if t in _TOKENS]

    def balance(self, token: str, address: str) -> int:
        """A token balance in base units, read by dry-run."""
        result = self.devnet.dryrun(self.processes[token], tags={"Action": "Balance",
                                                                  "Recipient": address})
        for m in result.messages:
            value = m.tag("Balance")
            if value is not None:
                return int(value)
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "wallets": {
                n: {"address": w.address,
                    "balances": {t: str(self.balance(t, w.address)) for t in self.tokens}}
                for n, w in self.wallets.items()},
            "deployer": self.deployer.address,
            "processes": dict(self.processes),
            "endpoints": dict(self.endpoints),
            "storage": self.devnet.store.describe(),
            "reused": not self.fresh,
        }

    def to_text(self) -> str:
        """The startup screen, as a local Ethereum node prints it."""
        lines = ["", "TIM3 local devnet", "=================", "", "Wallets", "-------"]
        for name, w in self.wallets.items():
            bal = "  ".join(
                f"{format_amount(self.balance(t, w.address), USDA_DENOMINATION)} {t}"
                for t in self.tokens)
            lines.append(f"{name:<9} {w.address}  {bal}")
        lines.append(f"{'deployer':<9} {self.deployer.address}  (owns the processes)")
        lines += ["", "Dev wallet keys are public knowledge: never send them real value.",
                  "", "Processes", "---------"]
        for name, pid in self.processes.items():
            lines.append(f"{name:<9} {pid}")
        lines.append(f"{'module':<9} {MODULE_ID}  (spawn with this Module)")
        lines += ["", "Endpoints", "---------"]
        if self.endpoints:
            lines += [f"{k:<9} {v}" for k, v in self.endpoints.items()]
        else:
            lines.append("(not serving: started with --no-serve)")
        lines += ["", "Storage", "-------", self.devnet.store.describe()
                  + ("" if self.fresh else "  (reused: state replayed from the log)"), ""]
        return "\n".join(lines)


def start_local(
    data_dir: str | Path | None,
    wallet_names: tuple[str, ...] = DEFAULT_WALLETS,
    fund: int = DEFAULT_FUND,
    config: DevnetConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> LocalNet:
    """Open (or create) the local devnet in `data_dir`; deploy and fund on first start.
    `progress` hears how a long replay of an existing devnet's log is going."""
    data = Path(data_dir) if data_dir is not None else None
    deployment_file = data / _DEPLOYMENT if data is not None else None
    on_replay = None
    if progress is not None:
        def on_replay(done: int, total: int) -> None:
            progress(f"Replaying the devnet's log: {done:,} of {total:,} messages")
    devnet = Devnet(data / "devnet.sqlite" if data is not None else None, config,
                    on_replay=on_replay)
    deployer = devnet.wallet(DEPLOYER)
    wallets = {name: devnet.wallet(name) for name in wallet_names}
    if deployment_file is not None and deployment_file.exists():
        processes = json.loads(deployment_file.read_text())["processes"]
        return LocalNet(devnet, deployer, wallets, processes, data, fresh=False)
    usda = devnet.spawn(deployer, source("usda_mock"),
                        tags={"Name": "USDA", "Ticker": "USDA",
                              "Denomination": str(USDA_DENOMINATION)})
    tim3 = devnet.spawn(deployer, source("tim3"),
                        tags={"Name": "TIM3", "Usda-Process": usda,
                              "Denomination": str(USDA_DENOMINATION)})
    processes = {"USDA": usda, "TIM3": tim3}
    for w in wallets.values():
        devnet.send(deployer, usda, tags={"Action": "Mint", "Recipient": w.address,
                                          "Quantity": str(fund)})
    if deployment_file is not None:
        # Everything `environment("local")` needs besides the node's URL.
        deployment_file.write_text(json.dumps({
            "processes": processes, "owner": deployer.address, "authority": devnet.mu.address,
            "scheduler": devnet.su.address, "module": MODULE_ID,
            "denomination": USDA_DENOMINATION}, indent=2))
    return LocalNet(devnet, deployer, wallets, processes, data, fresh=True)
