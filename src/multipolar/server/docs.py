"""``/docs``: the API reference as one offline HTML page, rendered from the OpenAPI schema.

FastAPI's own Swagger UI loads its scripts from a CDN; this page needs nothing beyond the
server, and ``/openapi.json`` stays available for tools (schemathesis, client generators).
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body { font: 14px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 1rem auto; padding: 0 1rem;
  color: #1f2933; }
h2 { border-top: 1px solid #d9e2ec; padding-top: .8rem; font-size: 1.1rem; }
code, .method { font-family: ui-monospace, monospace; }
.method { font-weight: 700; color: #2f5d8a; }
table { border-collapse: collapse; } td, th { border-bottom: 1px solid #d9e2ec;
  padding: .2rem .6rem; text-align: left; vertical-align: top; }
"""

INTRO = (
    'Every request and response body is JSON; every error is <code>{"error": "one line", '
    '"problems": [...]}</code> with a 4xx status. The machine-readable schema is '
    '<a href="/openapi.json">/openapi.json</a>; the page is at <a href="/">/</a>.'
)


def _type(schema: dict[str, Any]) -> str:
    """A short HTML rendering of a JSON Schema type, with links to named schemas."""
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}">{escape(name)}</a>'
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"list[{_type(schema.get('items', {}))}]"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"map[str, {_type(schema['additionalProperties'])}]"
    if "enum" in schema:
        return " | ".join(f"<code>{escape(repr(v))}</code>" for v in schema["enum"])
    if "const" in schema:
        return f"<code>{escape(repr(schema['const']))}</code>"
    return escape(str(kind or "any"))


def _bounds(schema: dict[str, Any]) -> str:
    marks = {"minimum": "≥", "maximum": "≤", "maxLength": "length ≤"}
    parts = [f"{sign} {schema[key]}" for key, sign in marks.items() if key in schema]
    if "default" in schema:
        parts.append(f"default <code>{escape(repr(schema['default']))}</code>")
    return ", ".join(parts)


def _operation(path: str, method: str, op: dict[str, Any]) -> list[str]:
    out = [f'<h2><span class="method">{method.upper()}</span> <code>{escape(path)}</code></h2>']
    out.append(f"<p>{escape(op.get('description') or op.get('summary') or '')}</p>")
    params = op.get("parameters", [])
    if params:
        out.append("<table><tr><th>parameter</th><th>in</th><th>type</th><th>notes</th></tr>")
        for p in params:
            schema = p.get("schema", {})
            out.append(
                f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
                f"<td>{_type(schema)}</td><td>{_bounds(schema)}</td></tr>"
            )
        out.append("</table>")
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        out.append(f"<p>Request body (JSON): {_type(body['schema'])}</p>")
    out.append("<p>Responses:</p><ul>")
    for code, resp in op.get("responses", {}).items():
        schema = resp.get("content", {}).get("application/json", {}).get("schema")
        shown = f": {_type(schema)}" if schema else ""
        out.append(
            f"<li><code>{escape(code)}</code> {escape(resp.get('description', ''))}{shown}</li>"
        )
    out.append("</ul>")
    return out


def _schema(name: str, schema: dict[str, Any]) -> list[str]:
    out = [f'<h3 id="schema-{escape(name)}">{escape(name)}</h3>']
    if schema.get("description"):
        out.append(f"<p>{escape(schema['description'])}</p>")
    props = schema.get("properties", {})
    if props:
        required = set(schema.get("required", []))
        out.append("<table><tr><th>field</th><th>type</th><th>notes</th></tr>")
        for field, sub in props.items():
            star = " (required)" if field in required else ""
            notes = "; ".join(t for t in (escape(sub.get("description", "")), _bounds(sub)) if t)
            out.append(
                f"<tr><td><code>{escape(field)}</code>{star}</td><td>{_type(sub)}</td>"
                f"<td>{notes}</td></tr>"
            )
        out.append("</table>")
    return out


def docs_html(spec: dict[str, Any]) -> str:
    """The reference page for an OpenAPI document."""
    info = spec.get("info", {})
    lines = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<link rel='icon' href='data:,'>",
        f"<title>{escape(info.get('title', 'API'))} API</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(info.get('title', 'API'))} {escape(info.get('version', ''))} API</h1>",
        f"<p>{escape(info.get('summary', ''))} {INTRO}</p>",
    ]
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            lines += _operation(path, method, op)
    lines.append("<h2>Schemas</h2>")
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        lines += _schema(name, schema)
    lines.append("</body></html>")
    return "\n".join(lines)
