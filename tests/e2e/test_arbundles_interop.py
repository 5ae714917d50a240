"""tim3.arweave and arbundles (the ANS-104 library aoconnect uses) read each other's data items.

Runs tests/e2e/arbundles/interop.mjs with Node; installs its one npm dependency on first use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from npm import ensure_installed

from tim3.arweave import DataItem, Wallet, b64url_decode, b64url_encode, random_id

HERE = Path(__file__).parent / "arbundles"
ANCHOR = "00000000000000000000000000000042"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]


@pytest.fixture(scope="module")
def node_modules() -> Path:
    """The interop script's node_modules, installed with npm if missing."""
    return ensure_installed(HERE, "@dha-team/arbundles")


def _node(*args: str | Path) -> dict[str, Any]:
    done = subprocess.run(
        ["node", "interop.mjs", *map(str, args)],
        cwd=HERE,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"interop.mjs {args[0]} failed:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout)
    return result


@pytest.fixture(scope="module")
def alice() -> Wallet:
    """The dev wallet named alice."""
    return Wallet.from_name("alice")


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({}, id="bare"),
        pytest.param(
            {
                "data": b"\x00\x01binary\xff",
                "tags": [("Data-Protocol", "ao"), ("Memo", ""), ("Ünïcode", "çødé ✓")],
                "target": "target",
                "anchor": ANCHOR,
            },
            id="everything",
        ),
        pytest.param({"data": "x" * 100_000, "tags": [("Type", "Message")] * 128}, id="big"),
    ],
)
def test_arbundles_verifies_an_item_made_by_tim3(
    node_modules: Path, alice: Wallet, tmp_path: Path, kwargs: dict[str, Any]
) -> None:
    if kwargs.get("target") == "target":
        kwargs = kwargs | {"target": random_id()}
    item = DataItem.create(alice, **kwargs)
    path = tmp_path / "item.bin"
    path.write_bytes(item.raw)

    seen = _node("verify", path)

    assert seen["valid"] is True
    assert seen["id"] == item.id
    assert seen["signatureType"] == 1
    assert b64url_decode(seen["owner"]) == alice.owner
    assert seen["tags"] == [{"name": n, "value": v} for n, v in item.tags]
    assert b64url_decode(seen["data"]) == item.data
    assert seen["target"] == (item.target or "")
    assert b64url_decode(seen["anchor"]) == (item.anchor or b"")


def test_arbundles_rejects_a_tim3_item_with_a_changed_byte(
    node_modules: Path, alice: Wallet, tmp_path: Path
) -> None:
    raw = bytearray(DataItem.create(alice, "pay 100", tags=[("Quantity", "100")]).raw)
    raw[-1] ^= 0x01
    path = tmp_path / "item.bin"
    path.write_bytes(bytes(raw))

    seen = _node("verify", path)

    assert seen["valid"] is False


@pytest.mark.parametrize(
    ("driver", "salt_length"),
    [("node", 478), ("web", 32)],
    ids=["node-crypto-max-salt", "webcrypto-salt-32"],
)
def test_tim3_verifies_an_item_signed_by_arbundles_with_a_tim3_jwk(
    node_modules: Path, alice: Wallet, tmp_path: Path, driver: str, salt_length: int
) -> None:
    jwk_path, spec_path, out_path = tmp_path / "alice.json", tmp_path / "spec.json", tmp_path / "o"
    alice.save(jwk_path)
    target = random_id()
    tags = [("Action", "Transfer"), ("Recipient", target), ("Quantity", "100"), ("X-Memo", "")]
    spec = {
        "data": b64url_encode(b"hello from arbundles"),
        "tags": [{"name": n, "value": v} for n, v in tags],
        "target": target,
        "anchor": ANCHOR,
    }
    spec_path.write_text(json.dumps(spec))

    made = _node("sign", jwk_path, spec_path, out_path, driver)
    item = DataItem.decode(out_path.read_bytes())

    item.check()
    assert item.id == made["id"]
    assert item.owner_address == alice.address
    assert item.tags == tags
    assert item.target == target
    assert item.anchor == ANCHOR.encode()
    assert item.data == b"hello from arbundles"
    _assert_salt_length(item, salt_length)


def _assert_salt_length(item: DataItem, salt_length: int) -> None:
    """Show which PSS salt the signer used, so both of verify's salt cases are really covered."""
    key = rsa.RSAPublicNumbers(65537, int.from_bytes(item.owner, "big")).public_key()
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=salt_length)
    key.verify(item.signature, item.signed_message, pss, hashes.SHA256())
