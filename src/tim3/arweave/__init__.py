"""Arweave primitives: base64url, deep hash, Avro tags, JWK wallets and ANS-104 data items.

from tim3.arweave import DataItem, Wallet
alice = Wallet.from_name("alice")            # dev key, same on every machine
item = DataItem.create(alice, "hi", tags=[("Action", "Eval")], target=process_id)
assert DataItem.decode(item.raw).verify()
"""

from tim3.arweave._avro import decode_tags, encode_tags
from tim3.arweave._b64 import b64url_decode, b64url_encode
from tim3.arweave._dataitem import DataItem
from tim3.arweave._deephash import deep_hash
from tim3.arweave._ids import address_of, random_id
from tim3.arweave._wallet import Wallet

__all__ = [
    "DataItem",
    "Wallet",
    "address_of",
    "b64url_decode",
    "b64url_encode",
    "decode_tags",
    "deep_hash",
    "encode_tags",
    "random_id",
]
