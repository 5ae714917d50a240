"""Environments: where TIM3 lives on each network, read by the CLI and the web gateway alike.

    from tim3.ops.environments import environment, load_environments
    env = environment("production")
    env.processes["usda"], env.authority, env.mu_url

The shipped `environments.json` holds `local`, `test` and `production`. A user file is merged
over it: the `extra` path, else `$TIM3_ENVIRONMENTS`, else `./tim3-environments.json` when it
exists. It has the same shape (`{"environments": {name: {...}}}`); for a shipped name only the
keys it gives change, and `processes` / `history` merge role by role (`null` removes a role).
The `local` environment takes its process ids from the devnet's data folder
(`deployment.json`, written by `tim3 devnet`): `data_dir`, else `$TIM3_DEVNET_DATA`, else
`.tim3/devnet`.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from tim3.arweave import Wallet
from tim3.errors import ConfigError

__all__ = [
    "DEFAULT_DEVNET_DATA",
    "DEFAULT_NODE_URL",
    "Environment",
    "devnet_data_dir",
    "environment",
    "load_environments",
    "record_environment",
    "role_of",
    "serving_node",
    "user_file",
]

DEFAULT_DEVNET_DATA = Path(".tim3/devnet")
DEFAULT_NODE_URL = "http://127.0.0.1:8734"
USER_FILE_NAME = "tim3-environments.json"
DEPLOYMENT_FILE = "deployment.json"
NODE_FILE = "node.json"
KINDS = ("local", "legacy")
_ID = re.compile(r"^[A-Za-z0-9_-]{43}$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = {"kind", "description", "mu_url", "cu_url", "gateway_url", "scheduler", "authority",
         "module", "denomination", "production", "owner", "processes", "history", "rollbacks",
         "su_url"}


@dataclass(frozen=True)
class Environment:
    """One place TIM3 runs: network endpoints, trust settings and the process id of each role.

    `processes` maps a role (`usda`, `tim3`, `coordinator`, `token_manager`, `state_manager`,
    `lock_manager`, `orchestrator` …) to its process id; a role without an id is absent.
    `authority` is the messenger address every TIM3 process must trust (its `Authority` tag);
    `owner` is the documented owner of the processes the operator deploys ("" = renounced);
    `history` keeps, per role, the ids it pointed to before (newest last), and `rollbacks`
    the rollbacks done (newest last), so `tim3 rollback` can go back and `--undo` forward.
    """

    name: str
    kind: str
    mu_url: str
    cu_url: str
    gateway_url: str
    scheduler: str | None = None
    authority: str | None = None
    module: str | None = None
    processes: Mapping[str, str] = field(default_factory=dict)
    denomination: int = 12
    production: bool = False
    owner: str | None = None
    description: str = ""
    history: Mapping[str, list[str]] = field(default_factory=dict)
    rollbacks: tuple[dict[str, Any], ...] = ()
    su_url: str | None = None
    data_dir: Path | None = None
    sources: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        return self.kind == "local"

    def process(self, role: str) -> str:
        """The process id of `role`, or ConfigError saying how to set it."""
        pid = self.processes.get(role)
        if pid:
            return pid
        known = ", ".join(sorted(self.processes)) or "none"
        hint = ("Deploy it with 'tim3 deploy " + role + f" --env {self.name}'"
                if role not in ("usda",) else
                f"Add it under environments.{self.name}.processes.{role} in your environments "
                f"file ({USER_FILE_NAME})")
        raise ConfigError(f"Environment '{self.name}' has no '{role}' process (it has: {known}). "
                          f"{hint}.")

    def with_processes(self, **changes: str | None) -> Environment:
        """A copy with some roles set (a value of None removes the role)."""
        processes = dict(self.processes)
        for role, pid in changes.items():
            if pid:
                processes[role] = pid
            else:
                processes.pop(role, None)
        return replace(self, processes=processes)

    def to_json(self) -> dict[str, Any]:
        """What the web gateway serves to the browser (and `--json` prints)."""
        out: dict[str, Any] = {
            "name": self.name, "kind": self.kind, "description": self.description,
            "mu_url": self.mu_url, "cu_url": self.cu_url, "gateway_url": self.gateway_url,
            "su_url": self.su_url,
            "scheduler": self.scheduler, "authority": self.authority, "module": self.module,
            "denomination": self.denomination, "production": self.production,
            "owner": self.owner, "processes": dict(sorted(self.processes.items())),
        }
        return out

    def to_text(self) -> str:
        """A few aligned lines for the terminal."""
        lines = [f"{self.name}  ({self.kind}{', production' if self.production else ''})"]
        if self.description:
            lines.append(f"  {self.description}")
        for label, value in (("MU", self.mu_url), ("CU", self.cu_url),
                             ("Gateway", self.gateway_url), ("Scheduler", self.scheduler),
                             ("Authority", self.authority), ("Module", self.module),
                             ("Owner", self.owner), ("Denomination", str(self.denomination))):
            lines.append(f"  {label:<13} {value if value not in (None, '') else '-'}")
        for role, pid in sorted(self.processes.items()):
            lines.append(f"  {role:<13} {pid}")
        if self.data_dir is not None:
            lines.append(f"  {'Data':<13} {self.data_dir}")
        return "\n".join(lines)


def devnet_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The local devnet's data folder: `data_dir`, else `$TIM3_DEVNET_DATA`, else .tim3/devnet."""
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get("TIM3_DEVNET_DATA")
    return Path(env) if env else DEFAULT_DEVNET_DATA


def user_file(extra: str | os.PathLike[str] | None = None, *, for_writing: bool = False
              ) -> Path | None:
    """The user's environments file: `extra`, `$TIM3_ENVIRONMENTS`, or ./tim3-environments.json.

    The last one only when it exists, unless `for_writing` (then it is where to create it).
    """
    if extra is not None:
        return Path(extra)
    env = os.environ.get("TIM3_ENVIRONMENTS")
    if env:
        return Path(env)
    default = Path(USER_FILE_NAME)
    return default if (for_writing or default.exists()) else None


def load_environments(
    extra: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Environment]:
    """Every environment by name: the shipped file, the user file merged over it, `local` filled
    in from the devnet's data folder."""
    shipped = resources.files("tim3.ops") / "environments.json"
    raws: dict[str, dict[str, Any]] = {}
    sources: dict[str, list[str]] = {}
    _merge_file(raws, sources, _read_json(shipped.read_text(encoding="utf-8"), "tim3.ops"),
                "(shipped)")
    path = user_file(extra)
    if path is not None:
        if not path.is_file():
            raise ConfigError(f"The environments file '{path}' does not exist. Check the path, "
                              "or unset TIM3_ENVIRONMENTS.")
        _merge_file(raws, sources, _read_json(path.read_text(encoding="utf-8"), str(path)),
                    str(path))
    out: dict[str, Environment] = {}
    for name, raw in raws.items():
        env = _build(name, raw, tuple(sources[name]))
        if env.kind == "local":
            env = _fill_local(env, devnet_data_dir(data_dir), "denomination" in raw)
        out[name] = env
    return out


def environment(
    name: str,
    extra: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
) -> Environment:
    """One environment by name; ConfigError with a suggestion for an unknown name."""
    envs = load_environments(extra, data_dir=data_dir)
    if name in envs:
        return envs[name]
    close = difflib.get_close_matches(name, list(envs), n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise ConfigError(f"No environment named '{name}'.{hint} Known: {', '.join(sorted(envs))}.")


# -- reading ----------------------------------------------------------------------------------


def _read_json(text: str, where: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"The environments file '{where}' is not valid JSON ({exc}). "
                          "Fix it or move it away.") from exc
    if not isinstance(data, dict) or not isinstance(data.get("environments"), dict):
        raise ConfigError(f"The environments file '{where}' must be a JSON object with an "
                          "'environments' object inside, as the shipped environments.json.")
    return data


def _merge_file(raws: dict[str, dict[str, Any]], sources: dict[str, list[str]],
                data: dict[str, Any], where: str) -> None:
    for name, raw in data["environments"].items():
        if not isinstance(raw, dict):
            raise ConfigError(f"Environment '{name}' in '{where}' must be a JSON object.")
        unknown = sorted(set(raw) - _KEYS)
        if unknown:
            close = difflib.get_close_matches(unknown[0], sorted(_KEYS), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise ConfigError(f"Environment '{name}' in '{where}' has an unknown key "
                              f"'{unknown[0]}'.{hint} Known keys: {', '.join(sorted(_KEYS))}.")
        base = raws.setdefault(name, {})
        for key, value in raw.items():
            if key in ("processes", "history") and isinstance(value, dict):
                merged = dict(base.get(key) or {})
                for role, pid in value.items():
                    if pid is None or pid == "" or pid == []:
                        merged.pop(role, None)
                    else:
                        merged[role] = pid
                base[key] = merged
            else:
                base[key] = value
        sources.setdefault(name, []).append(where)


def _build(name: str, raw: dict[str, Any], sources: tuple[str, ...]) -> Environment:
    where = f"environment '{name}' ({', '.join(sources)})"

    def text(key: str, required: bool = False) -> str | None:
        value = raw.get(key)
        if value is None or value == "":
            if required:
                raise ConfigError(f"The {where} has no '{key}'. Add it to the environments file.")
            return None
        if not isinstance(value, str):
            raise ConfigError(f"'{key}' of the {where} must be a string, got {value!r}.")
        return value

    kind = text("kind", required=True)
    if kind not in KINDS:
        raise ConfigError(f"'kind' of the {where} is {kind!r}; use 'local' or 'legacy'.")
    urls: dict[str, str] = {}
    for key in ("mu_url", "cu_url", "gateway_url"):
        url = text(key, required=True)
        assert url is not None
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"'{key}' of the {where} is {url!r}; it must start with http:// "
                              "or https://.")
        urls[key] = url.rstrip("/")
    for key in ("scheduler", "authority", "module"):
        value = text(key)
        if value is not None and not _ID.match(value):
            raise ConfigError(f"'{key}' of the {where} is {value!r}, not a 43-character "
                              "address. Copy it again from its source.")
    processes = raw.get("processes") or {}
    if not isinstance(processes, dict):
        raise ConfigError(f"'processes' of the {where} must be an object role → process id.")
    for role, pid in processes.items():
        if not _ROLE.match(role):
            raise ConfigError(f"Role '{role}' of the {where} must be lower case words joined "
                              "by '_', like 'token_manager'.")
        if not isinstance(pid, str) or not _ID.match(pid):
            raise ConfigError(f"Process '{role}' of the {where} is {pid!r}, not a 43-character "
                              "process id. Copy it again from where it was deployed.")
    history = raw.get("history") or {}
    if not isinstance(history, dict) or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in history.values()):
        raise ConfigError(f"'history' of the {where} must be an object role → list of ids.")
    denomination = raw.get("denomination", 12)
    if isinstance(denomination, str) and denomination.isdigit():
        denomination = int(denomination)
    if not isinstance(denomination, int) or isinstance(denomination, bool) \
            or not 0 <= denomination <= 99:
        raise ConfigError(f"'denomination' of the {where} is {denomination!r}; use a whole "
                          "number 0..99 (USDA's is 12).")
    owner = raw.get("owner")
    if owner is not None and not isinstance(owner, str):
        raise ConfigError(f"'owner' of the {where} must be an address, or \"\" if renounced.")
    return Environment(
        name=name, kind=kind, scheduler=text("scheduler"), authority=text("authority"),
        module=text("module"), processes=dict(processes), denomination=denomination,
        production=bool(raw.get("production", False)), owner=owner,
        description=str(raw.get("description") or ""),
        history={k: list(v) for k, v in history.items()}, rollbacks=_rollbacks(raw, where),
        su_url=(text("su_url") or "").rstrip("/") or None,
        sources=sources, mu_url=urls["mu_url"], cu_url=urls["cu_url"],
        gateway_url=urls["gateway_url"])


def _rollbacks(raw: dict[str, Any], where: str) -> tuple[dict[str, Any], ...]:
    value = raw.get("rollbacks") or []
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ConfigError(f"'rollbacks' of the {where} must be a list of objects, as "
                          "'tim3 rollback' writes it.")
    return tuple(value)


# -- the local devnet -------------------------------------------------------------------------


@functools.cache
def _devnet_identity() -> dict[str, str]:
    # The devnet's messenger, scheduler and deployer are named dev wallets: the same everywhere.
    from tim3.devnet import MODULE_ID
    from tim3.devnet.network import MU_WALLET_NAME, SU_WALLET_NAME

    return {"authority": Wallet.from_name(MU_WALLET_NAME).address,
            "scheduler": Wallet.from_name(SU_WALLET_NAME).address,
            "module": MODULE_ID,
            "owner": Wallet.from_name("deployer").address}


def role_of(name: str) -> str:
    """A deployment.json process name ('TIM3', 'Token-Manager') as an environment role."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def serving_node(data_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """`{"url", "pid"}` of the `tim3 devnet` serving this data folder, or None if none runs."""
    path = Path(data_dir) / NODE_FILE
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        pid = int(info["pid"])
        os.kill(pid, 0)     # signal 0: only asks whether the process exists
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if isinstance(info.get("url"), str) else None


def _fill_local(env: Environment, data: Path, fixed_denomination: bool) -> Environment:
    ident = _devnet_identity()
    record: dict[str, Any] = {}
    path = data / DEPLOYMENT_FILE
    if path.is_file():
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"The devnet record '{path}' is not valid JSON ({exc}). Start "
                              "the devnet again with 'tim3 devnet --fresh'.") from exc
    processes = {role_of(k): v for k, v in (record.get("processes") or {}).items() if v}
    processes.update(env.processes)   # the user file wins
    history = {k: list(v) for k, v in (record.get("history") or {}).items()}
    serving = serving_node(data)
    url = os.environ.get("TIM3_NODE_URL") or (serving or {}).get("url")
    urls: dict[str, str] = (
        {"mu_url": url, "cu_url": url, "gateway_url": url, "su_url": url} if url else {})
    if not fixed_denomination and isinstance(record.get("denomination"), int):
        env = replace(env, denomination=record["denomination"])
    rollbacks = tuple(record.get("rollbacks") or ()) + env.rollbacks
    urls.setdefault("su_url", env.su_url or urls.get("mu_url", env.mu_url))
    return replace(
        env, processes=processes, history={**history, **env.history}, data_dir=data,
        rollbacks=rollbacks,
        scheduler=env.scheduler or record.get("scheduler") or ident["scheduler"],
        authority=env.authority or record.get("authority") or ident["authority"],
        module=env.module or record.get("module") or ident["module"],
        owner=env.owner if env.owner is not None else record.get("owner", ident["owner"]),
        mu_url=urls.get("mu_url", env.mu_url), cu_url=urls.get("cu_url", env.cu_url),
        gateway_url=urls.get("gateway_url", env.gateway_url), su_url=urls["su_url"])


# -- writing ----------------------------------------------------------------------------------


def record_environment(
    env: Environment,
    *,
    processes: Mapping[str, str | None] | None = None,
    history: Mapping[str, list[str]] | None = None,
    owner: str | None = None,
    rollbacks: list[dict[str, Any]] | None = None,
    extra: str | os.PathLike[str] | None = None,
) -> Path:
    """Write changed process ids / history / owner of `env` where they are kept; returns the file.

    For `local`, the devnet's `deployment.json`; for any other environment, the user's
    environments file (created as ./tim3-environments.json if there is none yet), so the
    shipped file is never edited and the CLI and the gateway see the change at once.
    """
    if env.is_local:
        assert env.data_dir is not None, "a local environment always has a data folder"
        path = env.data_dir / DEPLOYMENT_FILE
        data = _load_for_update(path, {"processes": {}})
        names = {role_of(k): k for k in data.setdefault("processes", {})}
        for role, pid in (processes or {}).items():
            key = names.get(role, role)
            if pid:
                data["processes"][key] = pid
            else:
                data["processes"].pop(key, None)
        if history is not None:
            data["history"] = {**(data.get("history") or {}), **history}
        if owner is not None:
            data["owner"] = owner
        if rollbacks is not None:
            data["rollbacks"] = rollbacks
    else:
        target = user_file(extra, for_writing=True)
        assert target is not None
        path = target
        data = _load_for_update(path, {"environments": {}})
        entry = data.setdefault("environments", {}).setdefault(env.name, {})
        if not any(s == "(shipped)" for s in env.sources):
            # An environment defined only by the user: keep its full definition there.
            for key, value in env.to_json().items():
                if key not in ("name",) and value is not None:
                    entry.setdefault(key, value)
        if processes:
            entry.setdefault("processes", {}).update({k: v for k, v in processes.items()})
        if history is not None:
            entry["history"] = {**(entry.get("history") or {}), **history}
        if owner is not None:
            entry["owner"] = owner
        if rollbacks is not None:
            entry["rollbacks"] = rollbacks
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path.absolute()


def _load_for_update(path: Path, empty: dict[str, Any]) -> dict[str, Any]:
    if not path.exists():
        return empty
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"'{path}' is not valid JSON ({exc}); fix it before recording a "
                          "deployment in it.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"'{path}' must hold a JSON object; fix it before recording in it.")
    return data
