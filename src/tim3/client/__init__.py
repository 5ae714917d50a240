"""The Python AO client: one `AoNetwork` interface, over HTTP or on an in-process devnet.

from tim3.client import HttpNetwork, LocalNetwork
net = HttpNetwork.for_node("http://127.0.0.1:8734", wallet=alice)   # or LocalNetwork(devnet, alice)
pid = net.spawn(MODULE_ID, scheduler, tags={"Authority": mu, "On-Boot": "Data"}, data=lua)
mid = net.message(pid, {"Action": "Ping"})
print(net.result(pid, mid).messages[0].tags)
"""

from tim3.client.http import HttpNetwork
from tim3.client.local import LocalNetwork
from tim3.client.network import AoNetwork, Sort
from tim3.client.result import Page, Result, ResultMessage
from tim3.client.retry import Retry

__all__ = [
    "AoNetwork",
    "HttpNetwork",
    "LocalNetwork",
    "Page",
    "Result",
    "ResultMessage",
    "Retry",
    "Sort",
]
