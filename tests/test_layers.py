"""Imports only point down the layers, and every package's __all__ is honest."""

import ast
import importlib
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "tim3"

# Lower number = lower layer. A module may import its own layer or lower ones.
LAYER = {"types": 0, "errors": 0, "units": 0, "arweave": 0, "processes": 0, "runtime": 1,
         "devnet": 2, "node": 3, "client": 4, "ops": 5, "app": 6, "testing": 6, "cli": 7}


def package_of(path: Path) -> str:
    rel = path.relative_to(SRC).parts
    return rel[0].removesuffix(".py")


def imported(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tim3."):
            yield node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tim3."):
                    yield alias.name


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_point_down_and_not_into_other_packages_privates(path):
    here = package_of(path)

    for module in imported(path):
        parts = module.split(".")
        there = parts[1]
        assert LAYER[there] <= LAYER[here], f"{path.name} ({here}) imports upward: {module}"
        if there != here:
            assert not any(p.startswith("_") for p in parts[2:]), f"{path.name} reaches into {module}"


@pytest.mark.parametrize("package", ["tim3.runtime", "tim3.devnet", "tim3.arweave", "tim3.ops"])
def test_all_is_sorted_and_names_exist(package):
    mod = importlib.import_module(package)

    assert list(mod.__all__) == sorted(mod.__all__)
    for name in mod.__all__:
        assert hasattr(mod, name), f"{package}.__all__ names missing {name}"
