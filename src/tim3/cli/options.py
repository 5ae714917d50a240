"""The options every command shares, defined once, and what they turn into (env, wallet, session).

A command takes `env: EnvOption = "local"`, `wallet: WalletOption = None` … and builds a
`Target` from them; the target opens the session, asks for confirmation on production, shows
progress on stderr and prints the result as text or `--json`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from tim3.arweave import Wallet
from tim3.errors import ConfigError
from tim3.ops.environments import Environment, environment
from tim3.ops.session import Session

__all__ = ["DataOption", "EnvFileOption", "EnvOption", "IdArgsCommand", "JsonOption", "Target",
           "WaitOption", "WalletOption", "YesOption"]

EnvOption = Annotated[str, typer.Option(
    "--env", "-e", envvar="TIM3_ENV", rich_help_panel="Network",
    help="Environment to act on: local, test, production, or one of your own "
         "('tim3 env list' shows them).")]
EnvFileOption = Annotated[Path | None, typer.Option(
    "--environments", envvar="TIM3_ENVIRONMENTS", rich_help_panel="Network",
    help="Your environments file, merged over the shipped one; deployments are recorded in "
         "it. Default: ./tim3-environments.json when it exists.")]
DataOption = Annotated[Path | None, typer.Option(
    "--data", envvar="TIM3_DEVNET_DATA", rich_help_panel="Network",
    help="Data folder of the local devnet, for --env local. Default: .tim3/devnet.")]
WaitOption = Annotated[float | None, typer.Option(
    "--wait", min=0, rich_help_panel="Network",
    help="Seconds to wait for a message chain to settle. Default: 120 on AO networks, 0 on "
         "the local devnet (it settles at once).")]
WalletOption = Annotated[str | None, typer.Option(
    "--wallet", "-w", envvar="TIM3_WALLET", rich_help_panel="Wallet",
    help="JWK wallet file that signs. On --env local also a dev wallet name (alice, bob, "
         "deployer …); default there: deployer for operator commands, alice for user ones.")]
JsonOption = Annotated[bool, typer.Option(
    "--json", rich_help_panel="Output", help="Print the result as JSON (for scripts).")]
YesOption = Annotated[bool, typer.Option(
    "--yes", "-y", rich_help_panel="Output",
    help="Do not ask before moving money or changing configuration on a production "
         "environment. Risky: for scripts that were tried on test first.")]

_DEV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def progress(message: str) -> None:
    """Progress goes to stderr, so --json output on stdout stays parseable."""
    typer.secho(f"… {message}", err=True, dim=True)


@dataclass
class Target:
    """The shared options of one command, resolved on demand."""

    env_name: str = "local"
    environments: Path | None = None
    data: Path | None = None
    wallet_spec: str | None = None
    as_json: bool = False
    yes: bool = False
    wait: float | None = None
    _env: Environment | None = None

    @property
    def env(self) -> Environment:
        if self._env is None:
            self._env = environment(self.env_name, self.environments, data_dir=self.data)
        return self._env

    def wallet(self, default_dev: str, read_only: bool = False) -> Wallet:
        """The signing wallet: --wallet (a file, or a dev name on local), else the default.

        A read-only command (it only dry-runs) needs no key of yours: off the devnet it reads
        as the public dev wallet `default_dev`, which never signs anything there.
        """
        env = self.env
        spec = self.wallet_spec
        if not spec:
            if env.is_local or read_only:
                return Wallet.from_name(default_dev)
            raise ConfigError(f"'{env.name}' needs your own wallet: pass --wallet <jwk file> "
                              "or set TIM3_WALLET.")
        path = Path(spec).expanduser()
        if path.is_file():
            return Wallet.load(path)
        if env.is_local and _DEV_NAME.match(spec):
            return Wallet.from_name(spec)
        extra = " or a dev wallet name (local only)" if env.is_local else ""
        raise ConfigError(f"No wallet file '{spec}'. Pass the path of a JWK file{extra}.")

    @contextmanager
    def session(self, default_dev: str = "deployer", read_only: bool = False
                ) -> Iterator[Session]:
        env = self.env
        wait = self.wait if self.wait is not None else (0.0 if env.is_local else 120.0)
        with Session.open(env, self.wallet(default_dev, read_only), progress,
                          poll_timeout=wait) as session:
            yield session

    def confirm(self, what: str) -> None:
        """On a production environment, ask before `what` unless --yes; exit 1 on no."""
        if not self.env.production or self.yes:
            return
        if not typer.confirm(f"{what} on '{self.env.name}' (real value). Continue?"):
            typer.secho("Nothing was sent.", err=True)
            raise typer.Exit(1)

    def out(self, text: str, data: Any) -> None:
        """Print `text`, or `data` as JSON with --json."""
        if self.as_json:
            typer.echo(json.dumps(data, indent=2))
        else:
            typer.echo(text)


# A message id or address may start with "-" (43 base64url characters); Click would read it as
# an option ("No such option: -M"). IdArgsCommand shields such tokens while Click parses.
_DASH_ID = re.compile(r"^-[A-Za-z0-9_-]{42}$")


class IdArgsCommand(TyperCommand):
    """A command whose positional arguments may be ids or addresses starting with '-'."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        shielded = {f"\x00id{i}": a for i, a in enumerate(args) if _DASH_ID.match(a)}
        back = {v: k for k, v in shielded.items()}
        rest = super().parse_args(ctx, [back.get(a, a) for a in args])
        for name, value in ctx.params.items():
            if isinstance(value, str) and value in shielded:
                ctx.params[name] = shielded[value]
        return rest
