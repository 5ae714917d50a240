"""Operator tooling: environments, the local devnet, build, deploy, configure, verify, reconcile,
rollback, the user's token operations and message flows. The `tim3` CLI is a thin shell over it.

    from tim3.ops import Session, environment, deploy, configure, verify
    with Session.open(environment("local"), Wallet.from_name("deployer")) as s:
        deploy(s, "tim3"); configure(s, "tim3"); assert verify(s).ok
"""

from tim3.ops.build import Bundle, build_all, build_process
from tim3.ops.configure import Configuration, configure
from tim3.ops.deploy import Deployment, deploy
from tim3.ops.environments import Environment, environment, load_environments
from tim3.ops.flow import FlowNode, flow
from tim3.ops.local import DEFAULT_WALLETS, LocalNet, start_local
from tim3.ops.reconcile import Reconciliation, reconcile
from tim3.ops.rollback import Rollback, rollback, undo_rollback
from tim3.ops.session import Session
from tim3.ops.token import Holding, Movement, balances, redeem, swap, transfer
from tim3.ops.verify import Check, VerifyReport, verify

__all__ = [
    "Bundle",
    "Check",
    "Configuration",
    "DEFAULT_WALLETS",
    "Deployment",
    "Environment",
    "FlowNode",
    "Holding",
    "LocalNet",
    "Movement",
    "Reconciliation",
    "Rollback",
    "Session",
    "VerifyReport",
    "balances",
    "build_all",
    "build_process",
    "configure",
    "deploy",
    "environment",
    "flow",
    "load_environments",
    "reconcile",
    "redeem",
    "rollback",
    "start_local",
    "swap",
    "transfer",
    "undo_rollback",
    "verify",
]
