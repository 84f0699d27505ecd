"""What one request may ask of the server: body size, scenario size, draws; and a safe parse of
uploaded YAML (no alias bombs, no runaway nesting). Every breach is a one-line 4xx error."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

import yaml
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from multipolar.errors import MultipolarError
from multipolar.scenario.schema import Scenario


@dataclass(frozen=True)
class Limits:
    """Sizes bound what a request may name; the compute budget (``max_cost``, the request's
    estimated seconds of work, see ``cost.py``) bounds what it may ask, and the time limit
    (``max_seconds``, from arrival to answer) stops whatever the estimate missed. Analyses run
    in ``workers`` processes (0: in the server's own threads, with no time limit: for tests)."""

    max_body_bytes: int = 1_000_000
    max_actors: int = 20
    max_issues: int = 12
    max_events: int = 10
    max_edits: int = 200
    max_draws: int = 5000
    max_attribution_effects: int = 6  # the Shapley split runs 2^m states per event
    max_yaml_nodes: int = 200_000  # after expanding aliases
    max_seconds: float = 30.0
    max_cost: float = 10.0
    workers: int = 2
    max_queue: int = 256  # requests waiting for, or running in, a worker

    def as_dict(self) -> dict[str, float]:
        hidden = ("max_yaml_nodes", "max_queue")
        return {k: v for k, v in asdict(self).items() if k not in hidden}


class LimitError(MultipolarError):
    """A request beyond the server's limits (HTTP ``status``)."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def check_scenario(scn: Scenario, limits: Limits) -> None:
    """Refuse scenarios larger than the limits."""
    sizes = (
        ("actors", len(scn.actors), limits.max_actors),
        ("issues", len(scn.issues), limits.max_issues),
        ("events", len(scn.events), limits.max_events),
    )
    for what, count, cap in sizes:
        if count > cap:
            raise LimitError(
                f"{what}: the scenario has {count} {what}, this server takes at most {cap}; "
                f"fix: run it with the command line (`multipolar`), or trim the {what}"
            )


def check_count(what: str, value: int, cap: int) -> None:
    if value > cap:
        raise LimitError(
            f"{what}: {value} is above this server's limit of {cap}; fix: ask for {cap} or fewer"
        )


def _expanded_size(root: yaml.Node, cap: int) -> int:
    """Nodes in the document once aliases are expanded (memoised, so linear in the text)."""
    sizes: dict[int, int] = {}
    order: list[yaml.Node] = []
    stack = [root]
    while stack:  # iterative post-order: no recursion limit on deep documents
        node = stack.pop()
        if id(node) in sizes:
            continue
        sizes[id(node)] = -1
        order.append(node)
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    for node in reversed(order):
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(sizes[id(child)] for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(sizes[id(k)] + sizes[id(v)] for k, v in node.value)
        sizes[id(node)] = min(total, cap + 1)
    return sizes[id(root)]


def check_yaml(text: str, max_nodes: int) -> None:
    """Refuse YAML whose aliases expand beyond ``max_nodes`` values (a "billion laughs") or that
    nests too deeply to parse. Malformed YAML passes here and is reported by the loader."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    except RecursionError:
        raise LimitError(
            "scenario: nested too deeply to read; fix: send a scenario file as written"
        ) from None
    if root is not None and _expanded_size(root, max_nodes) > max_nodes:
        raise LimitError(
            f"scenario: more than {max_nodes} values once YAML aliases are expanded; "
            "fix: write the values out instead of repeating anchors"
        )


def error_body(message: str) -> bytes:
    return json.dumps({"error": message, "problems": [message]}).encode("utf-8")


class BodySizeLimit:
    """ASGI middleware: answer 413 to a request body above ``max_bytes``, whether it declares
    its length or streams it in chunks."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return (
            f"request body: larger than this server's limit of {self.max_bytes} bytes; "
            "fix: send a smaller scenario"
        )

    async def _reject(self, send: Send) -> None:
        body = error_body(self._message())
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    from fastapi import HTTPException

                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited, send)


def _methods(scope: Scope) -> set[str]:
    """Every method the app's OpenAPI schema documents for the request's path."""
    app = scope.get("app")
    table = getattr(app, "_allow_table", None)
    if table is None:
        table = []
        for template, operations in app.openapi().get("paths", {}).items() if app else []:
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            table.append((re.compile(f"^{pattern}$"), {m.upper() for m in operations}))
        if app is not None:
            app._allow_table = table
    path = scope.get("path", "")
    return {m for regex, methods in table if regex.match(path) for m in methods}


class AllowAllMethods:
    """ASGI middleware: a 405 answer's ``Allow`` lists every method the path takes (Starlette
    lists only those of the one route it tried, e.g. POST without GET on /api/runs)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                allowed = ", ".join(sorted(_methods(scope)))
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allowed.encode())]}
            await send(message)

        await self.app(scope, receive, sending)
