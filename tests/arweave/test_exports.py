from __future__ import annotations

import inspect

import tim3.arweave


def test_all_is_sorted_and_lists_every_public_name() -> None:
    public = {
        name
        for name, value in vars(tim3.arweave).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }

    assert tim3.arweave.__all__ == sorted(tim3.arweave.__all__)
    assert set(tim3.arweave.__all__) == public


def test_every_exported_name_has_a_docstring() -> None:
    undocumented = [
        name for name in tim3.arweave.__all__ if not inspect.getdoc(getattr(tim3.arweave, name))
    ]

    assert undocumented == []
