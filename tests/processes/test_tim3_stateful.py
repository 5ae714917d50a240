"""A hypothesis state machine that drives TIM3 and the mock USDA through a faulty devnet and
checks every invariant of security.md, and the reference model, after every step."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)
from tim3_harness import (
    FaultyDevnet,
    check_invariants,
    once,
    tim3_state,
    to_process,
    token_balances,
    usda_mint,
)
from tim3_model import Model

from tim3.devnet import DevnetConfig, Kind, Receipt
from tim3.processes import source

FUNDS = 5_000
CAROL = "C4r0l" + "x" * 38
ETH = "0x" + "ab" * 20  # a recipient the mock USDA refuses: its Transfer-Error path
BAD = ["0", "-1", "+5", "05", "1.0", " 1", "0x10", "", str(2**256)]
STALE_MS = 3_600_001

users = st.integers(0, 2)
amounts = st.one_of(st.integers(1, 40), st.integers(1, 3_000))


class Tim3Machine(RuleBasedStateMachine):
    """Deposits, redeems, transfers, forgeries, USDA failures and delivery faults."""

    def __init__(self) -> None:
        super().__init__()
        self.net = FaultyDevnet(config=DevnetConfig.for_tests())
        self.owner = self.net.wallet("deployer")
        self.users = [self.net.wallet("alice").address, self.net.wallet("bob").address, CAROL]
        self.usda = self.net.spawn(self.owner, source("usda_mock"), tags={"Name": "USDA"})
        self.tim3 = self.net.spawn(self.owner, source("tim3"), tags={"Usda-Process": self.usda})
        for who in self.users:
            usda_mint(self.net, self.owner, self.usda, who, FUNDS)
        self.model = Model(self.tim3, token_balances(self.net, self.usda))
        self.dropped: set[str] = set()  # payouts whose USDA Transfer was lost
        self.delivered: list[str] = []  # ids of messages TIM3 evaluated

    # -- helpers ---------------------------------------------------------------------------

    def remember(self, r: Receipt) -> None:
        chain = [r.message, *r.messages]
        self.delivered += [
            m.id
            for m in chain
            if m.process == self.tim3
            and m.kind in (Kind.MESSAGE, Kind.ASSIGNMENT)
            and m.error is None
        ]

    def send(self, who: str, tags: dict[str, str]) -> Receipt:
        r = self.net.send(who, self.tim3, tags=tags)
        assert r.ok, r.error
        self.remember(r)
        return r

    def owner_says(self, action: str, **tags: str) -> Receipt:
        return self.send(self.owner.address, {"Action": action, **tags})

    # -- rules -----------------------------------------------------------------------------

    @rule(u=users, q=amounts, fault=st.sampled_from(["none", "none", "drop", "hold", "dup"]))
    def deposit(self, u: int, q: int, fault: str) -> None:
        who = self.users[u]
        if fault in ("drop", "hold"):
            self.net.faults.append(once(to_process(self.tim3, "Credit-Notice", self.usda), fault))
        r = self.net.send(
            who, self.usda, tags={"Action": "Transfer", "Recipient": self.tim3, "Quantity": str(q)}
        )
        self.net.faults.clear()
        self.remember(r)
        if not self.model.usda_move(who, self.tim3, q):
            assert r.first("Transfer-Error")
            return
        if fault == "hold":
            self.model.held.append(("notice", who, q))
        elif fault != "drop":
            self.model.credit_notice(who, q)
        if fault == "dup":
            self.remember(self.net.assign(self.tim3, r.first("Credit-Notice", target=self.tim3).id))

    @rule(
        u=users,
        q=amounts,
        burn=st.booleans(),
        fault=st.sampled_from(["none", "none", "hold-transfer", "hold-debit", "drop", "eth"]),
    )
    def redeem(self, u: int, q: int, burn: bool, fault: str) -> None:
        who = self.users[u]
        recipient = ETH if fault == "eth" else who
        if fault in ("hold-transfer", "drop"):
            verdict = "hold" if fault == "hold-transfer" else "drop"
            self.net.faults.append(once(to_process(self.usda, "Transfer", self.tim3), verdict))
        if fault == "hold-debit":
            self.net.faults.append(once(to_process(self.tim3, "Debit-Notice", self.usda), "hold"))
        if burn and fault != "eth":
            r = self.send(who, {"Action": "Transfer", "Recipient": "burn", "Quantity": str(q)})
        else:
            r = self.send(who, {"Action": "Redeem", "Quantity": str(q), "Recipient": recipient})
        self.net.faults.clear()
        if not self.model.can_redeem(who, q):
            assert r.find("Redeem-Error") or r.find("Transfer-Error"), r.tree.render()
            return
        self.model.start_payout(r.id, who, recipient, q)
        if fault == "drop":
            self.dropped.add(r.id)
        elif fault == "hold-transfer":
            self.model.held.append(("transfer", r.id))
        elif not self.model.execute(r.id):
            self.model.fail(r.id)
            assert r.first("Redeem-Error")
        elif fault == "hold-debit":
            self.model.held.append(("debit", r.id))
        else:
            self.model.settle(r.id)
            assert r.first("Redeem-Notice")

    @precondition(lambda self: bool(self.model.held))
    @rule(data=st.data())
    def release_a_held_message(self, data: st.DataObject) -> None:
        i = data.draw(st.integers(0, len(self.model.held) - 1))
        entry = self.model.held.pop(i)
        self.remember(self.net.release(i))
        if entry[0] == "notice":
            self.model.credit_notice(entry[1], entry[2])  # type: ignore[misc]
        elif entry[0] == "transfer":
            pid = entry[1]
            if self.model.execute(pid):
                self.model.settle(pid)
            else:
                self.model.fail(pid)
        else:
            self.model.settle(entry[1])

    @precondition(lambda self: bool(self.dropped))
    @rule(paid=st.booleans())
    def owner_resolves_a_lost_payout(self, paid: bool) -> None:
        pid = sorted(self.dropped)[0]
        self.net.advance(STALE_MS)
        r = self.owner_says(
            "Resolve-Payout", **{"Payout-Id": pid, "Outcome": "Paid" if paid else "Failed"}
        )
        assert r.first("Resolve-Payout-Notice")
        self.dropped.discard(pid)
        if paid:
            self.model.resolve_paid(pid)
        else:
            self.model.fail(pid)

    @rule(u=users, v=users, q=amounts, cast=st.booleans())
    def transfer(self, u: int, v: int, q: int, cast: bool) -> None:
        tags = {"Action": "Transfer", "Recipient": self.users[v], "Quantity": str(q)}
        if cast:
            tags["Cast"] = "true"
        r = self.send(self.users[u], tags)
        moved = self.model.transfer(self.users[u], self.users[v], q)
        assert bool(r.find("Transfer-Error")) is not moved

    @rule(action=st.sampled_from(["Pause-Mint", "Resume-Mint", "Pause-Redeem", "Resume-Redeem"]))
    def owner_switches(self, action: str) -> None:
        assert self.owner_says(action).first(f"{action}-Notice")
        if action.endswith("Mint"):
            self.model.mint_paused = action.startswith("Pause")
        else:
            self.model.redeem_paused = action.startswith("Pause")

    @rule(
        u=users,
        kind=st.sampled_from(
            ["forged-notice", "bad-redeem", "bad-transfer", "stranger-admin", "reply-to-error"]
        ),
        bad=st.sampled_from(BAD),
    )
    def hostile_user(self, u: int, kind: str, bad: str) -> None:
        who = self.users[u]
        before = tim3_state(self.net, self.tim3).comparable()
        if kind == "forged-notice":
            self.send(
                who,
                {
                    "Action": "Credit-Notice",
                    "From-Process": self.usda,
                    "Sender": who,
                    "Quantity": "1000",
                },
            )
        elif kind == "bad-redeem":
            assert self.send(who, {"Action": "Redeem", "Quantity": bad}).first("Redeem-Error")
        elif kind == "bad-transfer":
            r = self.send(who, {"Action": "Transfer", "Recipient": self.users[0], "Quantity": bad})
            assert r.first("Transfer-Error")
        elif kind == "stranger-admin":
            assert self.send(who, {"Action": "Pause-Redeem"}).first("Pause-Redeem-Error")
        else:
            target = sorted(self.model.payouts)[0] if self.model.payouts else "none"
            r = self.net.send(
                who,
                self.usda,
                tags={
                    "Action": "Transfer",
                    "Recipient": self.users[0],
                    "Quantity": str(10**30),
                    "Reply-To": self.tim3,
                    "X-Reference": target,
                    "X-Payout-Id": target,
                },
            )
            self.remember(r)
        assert tim3_state(self.net, self.tim3).comparable() == before

    @precondition(lambda self: bool(self.delivered))
    @rule(data=st.data())
    def duplicate_a_delivery(self, data: st.DataObject) -> None:
        message_id = data.draw(st.sampled_from(self.delivered))
        before = tim3_state(self.net, self.tim3).comparable()
        ledger = token_balances(self.net, self.usda)

        self.net.assign(self.tim3, message_id)

        assert tim3_state(self.net, self.tim3).comparable() == before
        assert token_balances(self.net, self.usda) == ledger

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def matches_the_model_and_every_invariant_holds(self) -> None:
        s = check_invariants(self.net, self.tim3, self.usda, self.model.unexecuted)
        m = self.model
        assert s.balances == m.balances
        assert (s.supply, s.reserve, s.pending) == (m.supply, m.reserve, m.pending)
        assert set(s.pending_payouts()) == set(m.payouts)
        assert token_balances(self.net, self.usda) == m.usda_ledger
        assert s.inbox == 1  # only aos's boot message: nothing else is kept

    def teardown(self) -> None:
        """Liveness: from the final state every holder can redeem everything."""
        try:
            if self.model.redeem_paused:
                self.owner_switches("Resume-Redeem")
            while self.model.held:
                self.release_a_held_message_at(0)
            while self.dropped:
                self.owner_resolves_a_lost_payout(paid=False)
            for who, balance in list(self.model.balances.items()):
                r = self.send(who, {"Action": "Redeem", "Quantity": str(balance)})
                assert r.first("Redeem-Notice"), r.tree.render()
            s = check_invariants(self.net, self.tim3, self.usda)
            assert (s.supply, s.pending, s.reserve, s.balances) == (0, 0, 0, {})
        finally:
            self.net.close()

    def release_a_held_message_at(self, i: int) -> None:
        class _Zero:
            @staticmethod
            def draw(_: object) -> int:
                return i

        self.release_a_held_message.__wrapped__(self, _Zero())  # type: ignore[attr-defined]


Tim3Machine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_tim3_state_machine = Tim3Machine.TestCase
