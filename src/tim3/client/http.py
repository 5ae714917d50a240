"""`HttpNetwork`: the legacy AO protocol over HTTP (MU, CU, gateway), as aoconnect speaks it.

Requests that fail for a passing reason — the node cannot be reached, answers 429, 502, 503
or 504, or the CU says a result is still being computed (202) — are tried again with
exponential backoff (`Retry`); a signed item only when it cannot have been taken (no
connection, 429, 503), never after a timeout or a proxy's 502 or 504. Any other refusal, and a
transient one that outlasts the retries, raises `ClientError` quoting the status and the
server's `error` text, with `.status` (None when no answer came) and `.url` set.

Requests go over keep-alive connections of the standard library's `http.client`
(`tim3.client._transport`), or through httpx when a transport is passed or the environment
configures a proxy for one of the network's URLs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from tim3.arweave import DataItem, Wallet
from tim3.client._protocol import dry_run_tags, message_tags, process_tags
from tim3.client._transport import (
    ConnectFailed,
    HttpResponse,
    TimedOut,
    TransportProblem,
    sender_for,
)
from tim3.client.network import AoNetwork, Sort
from tim3.client.result import Page, Result
from tim3.client.retry import Retry, parse_retry_after
from tim3.errors import ClientError, DataItemError
from tim3.types import MessageId, ProcessId, TagsLike

__all__ = ["HttpNetwork"]

_MODULE_QUERY = """query ($transactionIds: [ID!]!) {
  transactions(ids: $transactionIds) {
    edges { node { id owner { address } tags { name value } } }
  }
}"""

_HINTS = {
    400: "The node refused the request as malformed; fix the value its message names.",
    401: "The node refused this wallet; check the wallet and the node's access rules.",
    403: "The node refused this wallet; check the wallet and the node's access rules.",
    404: "Check the id, and that it belongs to the network at {base}.",
    413: "The body is too large for this node; send less data.",
    429: "The node is rate limiting this client; wait and try again, or pass a larger retries=.",
}


# A proxy's "bad gateway" and "gateway timeout": the unit behind it may have taken the request,
# so a signed item is not re-sent after them (429 and 503 say it was not taken, and are).
_AMBIGUOUS = frozenset({502, 504})


def _error(message: str, *, status: int | None, url: str) -> ClientError:
    return ClientError(message, status=status, url=url)


def _server_text(response: HttpResponse) -> str:
    """The server's `error` (or `message`) text, else the start of its body."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        for key in ("error", "message"):
            if isinstance(body.get(key), str):
                return str(body[key])
    return response.text.strip()[:300] or "(empty body)"


class HttpNetwork(AoNetwork):
    """A client for any legacy-protocol AO network, signing with `wallet`.

    Parameters:
        mu_url: the messenger unit (`POST /` of signed items).
        cu_url: the compute unit (`/result`, `/results`, `/dry-run`).
        gateway_url: an Arweave gateway for the GraphQL module check before a spawn; None
            skips the check.
        wallet: signs every data item.
        timeout: seconds to wait for each HTTP answer.
        retries / backoff / max_backoff: how transient failures are retried (`Retry`).
        sleep: how to wait between tries (tests pass a recorder).
        transport: an httpx transport, for tests (`httpx.MockTransport`); requests then go
            through httpx.
    """

    def __init__(
        self,
        mu_url: str,
        cu_url: str,
        gateway_url: str | None = None,
        *,
        wallet: Wallet,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.25,
        max_backoff: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.mu_url = mu_url.rstrip("/")
        self.cu_url = cu_url.rstrip("/")
        self.gateway_url = gateway_url.rstrip("/") if gateway_url else None
        self.wallet = wallet
        self.timeout = timeout
        self.retry = Retry(retries, backoff, max_backoff)
        self._sleep = sleep
        urls = [self.mu_url, self.cu_url, *([self.gateway_url] if self.gateway_url else [])]
        self._http = sender_for(urls, timeout, {"Accept": "application/json"}, transport)

    @classmethod
    def for_node(cls, url: str, wallet: Wallet, **options: Any) -> HttpNetwork:
        """A client for one node that is MU, CU and gateway at once (`tim3 devnet`)."""
        return cls(url, url, url, wallet=wallet, **options)

    def close(self) -> None:
        self._http.close()

    # -- the AO API ----------------------------------------------------------------------------

    def spawn(self, module: str, scheduler: str, tags: TagsLike = None,
              data: str | bytes = "") -> ProcessId:
        if self.gateway_url is not None:
            self._check_module(module)
        item_tags, item_data = process_tags(tags, data, module, scheduler)
        item = self._sign(item_data, item_tags, None, None)
        body = self._post_item(item, "Spawning a process")
        pid = body.get("processId")
        return str(pid) if pid else item.id

    def message(self, process: ProcessId, tags: TagsLike = None, data: str | bytes = "",
                anchor: str | None = None) -> MessageId:
        item_tags, item_data = message_tags(tags, data)
        item = self._sign(item_data, item_tags, process, anchor)
        self._post_item(item, f"Sending a message to '{process}'")
        return item.id

    def send_signed(self, item: DataItem) -> MessageId:
        """Post a data item signed elsewhere (a message or a spawn); returns its id."""
        body = self._post_item(item, f"Sending data item '{item.id}'")
        return str(body.get("processId") or item.id)

    def result(self, process: ProcessId, message_id: MessageId) -> Result:
        url = f"{self.cu_url}/result/{message_id}"
        what = f"Reading the result of message '{message_id}' on process '{process}'"
        response = self._call("GET", url, what, params={"process-id": process}, busy=True)
        return Result(self._json(response, what))

    def results(self, process: ProcessId, from_: str | None = None, to: str | None = None,
                sort: Sort = "ASC", limit: int = 25) -> Page:
        params: dict[str, str] = {"sort": sort, "limit": str(limit)}
        if from_ is not None:
            params["from"] = from_
        if to is not None:
            params["to"] = to
        what = f"Reading the results of process '{process}'"
        response = self._call("GET", f"{self.cu_url}/results/{process}", what, params=params)
        return Page(self._json(response, what))

    def dry_run(self, process: ProcessId, tags: TagsLike = None, data: str = "",
                owner: str | None = None) -> Result:
        body = {
            "Id": "1234", "Target": process, "Owner": owner or self.wallet.address,
            "Anchor": "0", "Data": data,
            "Tags": [{"name": n, "value": v} for n, v in dry_run_tags(tags)],
        }
        what = f"Dry-running a message against process '{process}'"
        response = self._call("POST", f"{self.cu_url}/dry-run", what,
                              params={"process-id": process}, json_body=body, busy=True)
        return Result(self._json(response, what))

    # -- helpers -------------------------------------------------------------------------------

    def _sign(self, data: str | bytes, tags: list[tuple[str, str]], target: str | None,
              anchor: str | None) -> DataItem:
        try:
            return DataItem.create(self.wallet, data, tags=tags, target=target, anchor=anchor)
        except DataItemError as exc:
            raise _error(f"Cannot build the data item to send: {exc}", status=None,
                         url=self.mu_url) from exc

    def _post_item(self, item: DataItem, what: str) -> dict[str, Any]:
        # A signed item is only re-sent when no connection was made, or the MU said it was
        # busy (429, 503): after a read timeout, a broken connection or a proxy's 502 or 504,
        # it may have been delivered.
        response = self._call("POST", self.mu_url + "/", what, content=item.raw,
                              headers={"Content-Type": "application/octet-stream"},
                              idempotent=False)
        return self._json(response, what)

    def _check_module(self, module: str) -> None:
        assert self.gateway_url is not None
        what = f"Looking up module '{module}' on the gateway"
        response = self._call("POST", self.gateway_url + "/graphql", what,
                              json_body={"query": _MODULE_QUERY,
                                         "variables": {"transactionIds": [module]}})
        body = self._json(response, what)
        try:
            edges = body["data"]["transactions"]["edges"]
            tags = {t["name"]: t["value"] for t in edges[0]["node"]["tags"]} if edges else None
        except (KeyError, TypeError, IndexError) as exc:
            raise _error(f"{what}: the gateway's answer has no transactions.edges: "
                         f"{json.dumps(body)[:200]}. Is {self.gateway_url} an Arweave gateway?",
                         status=response.status, url=response.url) from exc
        if tags is None:
            raise _error(f"Module '{module}' is not on the gateway {self.gateway_url}. Spawn "
                         "with a published module id (the tim3 devnet's is "
                         "tim3.devnet.MODULE_ID).", status=response.status,
                         url=response.url)
        for name, wanted in (("Data-Protocol", "ao"), ("Type", "Module")):
            if tags.get(name) != wanted:
                raise _error(f"Transaction '{module}' is not an AO module: its tag '{name}' is "
                             f"{tags.get(name)!r}, not '{wanted}'. Check the module id.",
                             status=response.status, url=response.url)

    def _call(
        self, method: str, url: str, what: str, *, params: dict[str, str] | None = None,
        content: bytes | None = None, json_body: Any = None,
        headers: dict[str, str] | None = None, idempotent: bool = True, busy: bool = False,
    ) -> HttpResponse:
        """One request with retries; a 2xx (not a busy 202) response, or ClientError."""
        if json_body is not None:
            content = json.dumps(json_body).encode()
            headers = {**(headers or {}), "Content-Type": "application/json"}
        retry_after: float | None = None
        problem = ""
        status: int | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                self._sleep(self.retry.delay(attempt, retry_after))
            retry_after = None
            try:
                response = self._http.request(method, url, params=params, content=content,
                                              headers=headers)
            except ConnectFailed as exc:
                status, problem = None, f"cannot connect ({exc.reason})"
                continue
            except TimedOut as exc:
                status, problem = None, f"no answer within {self.timeout:g} s"
                if not idempotent:
                    raise _error(
                        f"{what}: {method} {url} got {problem}. The item may still have been "
                        "delivered: look for its result before sending it again, or pass a "
                        "larger timeout=.", status=None, url=url) from exc
                continue
            except TransportProblem as exc:
                status, problem = None, f"the connection failed ({exc.reason})"
                if not idempotent:
                    raise _error(f"{what}: {method} {url}: {problem}. The item may still have "
                                 "been delivered: look for its result before sending it again.",
                                 status=None, url=url) from exc
                continue
            status = response.status
            if not idempotent and status in _AMBIGUOUS:
                raise _error(
                    f"{what}: {method} {url} answered {status}: {_server_text(response)!r}. A "
                    "proxy answered for the unit behind it, which may still have taken the "
                    "item: look for its result before sending it again.", status=status,
                    url=url)
            if Retry.is_transient(status) or (busy and status == 202):
                problem = f"answered {status}: {_server_text(response)!r}"
                retry_after = parse_retry_after(response.headers.get("retry-after"))
                continue
            if status >= 300:
                raise self._refused(what, method, response)
            return response
        raise _error(self._exhausted(what, method, url, status, problem), status=status, url=url)

    def _exhausted(self, what: str, method: str, url: str, status: int | None,
                   problem: str) -> str:
        tries = f"{self.retry.attempts} {'try' if self.retry.attempts == 1 else 'tries'}"
        if status is None and problem.startswith("cannot connect"):
            advice = ("Is the node running? Start one with 'tim3 devnet', or check the URL.")
        elif status is None:
            advice = "The node may be overloaded; pass a larger timeout= or retry later."
        elif status == 202:
            advice = "The result is still being computed; ask again later."
        else:
            advice = _HINTS.get(status, "The node is failing or overloaded; try again later "
                                        "or look at the node's log.")
        return f"{what}: {method} {url} {problem} after {tries}. {advice}"

    def _refused(self, what: str, method: str, response: HttpResponse) -> ClientError:
        status = response.status
        url = response.url
        hint = _HINTS.get(status)
        if hint is None:
            hint = ("The node failed; look at its log or try again later." if status >= 500
                    else "The node did not accept the request.")
        base = url.split("/", 3)
        hint = hint.format(base="/".join(base[:3]) if len(base) >= 3 else url)
        return _error(f"{what}: {method} {url} answered {status}: {_server_text(response)!r}. "
                      f"{hint}", status=status, url=url)

    @staticmethod
    def _json(response: HttpResponse, what: str) -> dict[str, Any]:
        """The body as a JSON object; ClientError when it is not one."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise _error(f"{what}: {response.method} {response.url} answered "
                         f"{response.status} with a body that is not a JSON object: "
                         f"{response.text[:100]!r}. Is this URL an AO unit?",
                         status=response.status, url=response.url)
        return body

