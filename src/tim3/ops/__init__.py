"""Operator tooling: the local environment (and later deploy, configure, verify, reconcile)."""

from tim3.ops.local import DEFAULT_WALLETS, LocalNet, start_local

__all__ = ["DEFAULT_WALLETS", "LocalNet", "start_local"]
