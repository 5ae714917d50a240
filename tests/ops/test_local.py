"""The local environment: USDA and TIM3 deployed, wallets funded, a swap works, reopening keeps it."""

from tim3.ops import start_local

USDA = 10**12


def test_first_start_deploys_usda_and_tim3_and_funds_wallets(tmp_path):
    net = start_local(tmp_path, ("alice", "bob"))

    assert set(net.processes) == {"USDA", "TIM3"}
    assert net.balance("USDA", net.wallets["alice"].address) == 1000 * USDA
    assert net.balance("TIM3", net.wallets["alice"].address) == 0
    net.devnet.close()


def test_a_swap_on_the_local_net_mints_tim3_one_to_one(tmp_path):
    net = start_local(tmp_path, ("alice",))
    alice = net.wallets["alice"]

    net.devnet.send(alice, net.processes["USDA"], tags={
        "Action": "Transfer", "Recipient": net.processes["TIM3"], "Quantity": str(5 * USDA)})

    assert net.balance("TIM3", alice.address) == 5 * USDA
    assert net.balance("USDA", alice.address) == 995 * USDA
    net.devnet.close()


def test_a_second_start_reopens_the_same_processes_and_balances(tmp_path):
    first = start_local(tmp_path, ("alice",))
    alice = first.wallets["alice"]
    first.devnet.send(alice, first.processes["USDA"], tags={
        "Action": "Transfer", "Recipient": first.processes["TIM3"], "Quantity": "7"})
    first.devnet.close()

    second = start_local(tmp_path, ("alice",))

    assert second.processes == first.processes and not second.fresh
    assert second.balance("TIM3", alice.address) == 7
    second.devnet.close()
