"""The npm folders of the cross-implementation tests: installed on first use."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def ensure_installed(folder: Path, package: str) -> Path:
    """`folder`/node_modules with `package` in it, running `npm install` there if missing."""
    modules = folder / "node_modules"
    if not (modules / package).is_dir():
        npm = shutil.which("npm")
        assert npm is not None, "node is installed but npm is not; install npm to run this test"
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund"], cwd=folder,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"npm install failed in {folder}:\n{done.stderr}"
    return modules
