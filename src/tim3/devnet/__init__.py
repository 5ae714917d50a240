"""A local AO network: `Devnet` schedules, evaluates and routes messages like SU, CU and MU."""

from tim3.devnet.faults import Fault, Held, once, to_process
from tim3.devnet.message import Kind, Message
from tim3.devnet.network import MODULE_ID, Devnet, DevnetConfig, ProcessInfo
from tim3.devnet.trace import Receipt, TraceNode

__all__ = [
    "Devnet",
    "DevnetConfig",
    "Fault",
    "Held",
    "Kind",
    "MODULE_ID",
    "Message",
    "ProcessInfo",
    "Receipt",
    "TraceNode",
    "once",
    "to_process",
]
