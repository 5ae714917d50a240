"""`tim3 balance | swap | redeem | transfer`: what a TIM3 holder does, in human amounts."""

from __future__ import annotations

from typing import Annotated

import typer

from tim3.cli.options import (
    DataOption,
    EnvFileOption,
    EnvOption,
    IdArgsCommand,
    JsonOption,
    Target,
    WaitOption,
    WalletOption,
    YesOption,
)
from tim3.ops import token
from tim3.units import format_amount, parse_amount

app = typer.Typer()

USER = "alice"   # the default signer on --env local
AmountArgument = Annotated[str, typer.Argument(
    help="Amount in token units, e.g. 5.25 (converted exactly with the token's Denomination).")]


@app.command(cls=IdArgsCommand)
def balance(
    address: Annotated[str | None, typer.Argument(
        help="Whose balances. Default: the wallet's address.")] = None,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, wait: WaitOption = None,
) -> None:
    """Show USDA and TIM3 balances of a wallet."""
    target = Target(env, environments, data, wallet, as_json, wait=wait)
    with target.session(USER, read_only=address is not None) as session:
        who = address or session.wallet.address
        holdings = token.balances(session, who)
    lines = [f"Balances of {who} on '{target.env.name}'"]
    lines += [f"  {h.human:>24} {h.ticker:<6} ({h.balance} base units)" for h in holdings]
    target.out("\n".join(lines), {"address": who, "balances": [h.to_json() for h in holdings]})


def _movement(kind: str, amount: str, token_role: str, env: str, environments: object,
              data: object, wallet: str | None, as_json: bool, yes: bool, wait: float | None,
              recipient: str | None = None) -> None:
    target = Target(env, environments, data, wallet, as_json, yes, wait)  # type: ignore[arg-type]
    with target.session(USER) as session:
        denomination, ticker = token.token_denomination(session, token_role)
        quantity = parse_amount(amount, denomination)
        shown = f"{format_amount(quantity, denomination)} {ticker} ({quantity} base units)"
        target.confirm(f"{kind.capitalize()} {shown}" + (f" to {recipient}" if recipient
                                                         else ""))
        if kind == "swap":
            result = token.swap(session, quantity)
        elif kind == "redeem":
            result = token.redeem(session, quantity)
        else:
            assert recipient is not None
            result = token.transfer(session, token_role, recipient, quantity)
    target.out(result.to_text(), result.to_json())


@app.command(cls=IdArgsCommand)
def swap(
    amount: AmountArgument,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Swap USDA for TIM3, one to one: send USDA to the TIM3 process and wait for the mint."""
    _movement("swap", amount, "usda", env, environments, data, wallet, as_json, yes, wait)


@app.command(cls=IdArgsCommand)
def redeem(
    amount: AmountArgument,
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Redeem TIM3 for USDA, one to one: burn TIM3 and wait for the USDA payout."""
    _movement("redeem", amount, "tim3", env, environments, data, wallet, as_json, yes, wait)


@app.command(cls=IdArgsCommand)
def transfer(
    recipient: Annotated[str, typer.Argument(help="The address to send to.")],
    amount: AmountArgument,
    token_role: Annotated[str, typer.Option(
        "--token", help="Which token: tim3 or usda.")] = "tim3",
    env: EnvOption = "local", environments: EnvFileOption = None, data: DataOption = None,
    wallet: WalletOption = None, as_json: JsonOption = False, yes: YesOption = False,
    wait: WaitOption = None,
) -> None:
    """Send TIM3 (or USDA with --token usda) to another address."""
    _movement("transfer", amount, token_role, env, environments, data, wallet, as_json, yes,
              wait, recipient)
