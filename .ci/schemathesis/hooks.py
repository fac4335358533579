"""Schemathesis hooks for the sandbox gateway.

Each generated request is signed as a merchant's client would sign it, so
that it passes the sandbox's authentication and reaches the endpoint itself:

* `pg_sig` operations (the form families): `pg_merchant_id`, `{merchant_id}`
  and a fresh `pg_salt` are set, the parameters are written in bracket
  notation (`pg_receipt_positions[0][count]`) and signed with the operation's
  script name (`x-freedompay-script`, else the last segment of its path);
* JWS operations (the JSON families): the body is serialised once, exactly as
  sent, and signed with a detached JWS in `X-JWS-Signature`, with a fresh
  `X-Request-Id`;
* Freedom ID's operations: HTTP Basic client credentials.

The credentials are the sandbox's default test merchant (`12345`, key
`mysecret`), or `FREEDOMPAY_MERCHANT_ID` and `FREEDOMPAY_SECRET_KEY`.

The XML answers are read into JSON values for the schema checks, lists as
their schema describes them (`xml.wrapped`: an element wrapping its items, or
an element repeated once per item).
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid
import xml.etree.ElementTree as ElementTree
from urllib.parse import quote

import schemathesis
from schemathesis.core import NOT_SET

MERCHANT_ID = os.environ.get("FREEDOMPAY_MERCHANT_ID", "12345")
SECRET_KEY = os.environ.get("FREEDOMPAY_SECRET_KEY", "mysecret")


# --- pg_sig -----------------------------------------------------------------


def _text(value):
    """A scalar as the form carries it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return str(value)


def _tree(value):
    """A generated value as the gateway's parameter tree: text, or a list of
    `(name, tree)` pairs (lists are indexed from 0). Empty nested values are
    dropped: they would not travel."""
    if isinstance(value, dict):
        items = ((str(k), _tree(v)) for k, v in value.items())
    elif isinstance(value, list):
        items = ((str(i), _tree(v)) for i, v in enumerate(value))
    else:
        return _text(value)
    return [(k, v) for k, v in items if not (isinstance(v, list) and not v)]


def _flatten(pairs, parent):
    """The values by sort key: parent key + name + 1-based position as three
    digits; a nested value is walked with its sort key as the parent key. As
    the gateway's PHP does it: a text value does not replace an existing key,
    a nested one does."""
    out = {}
    for position, (name, value) in enumerate(pairs, 1):
        if name == "pg_sig":
            continue
        key = f"{parent}{name}{position:03d}"
        if isinstance(value, list):
            out.update(_flatten(value, key))
        else:
            out.setdefault(key, value)
    return out


def pg_sig(script, pairs, secret):
    """MD5 of the script name, the values in sort-key order (by their bytes)
    and the secret key, joined with `;`."""
    flat = _flatten(pairs, "")
    values = [flat[key] for key in sorted(flat, key=lambda k: k.encode("utf-8"))]
    return hashlib.md5(";".join([script, *values, secret]).encode("utf-8")).hexdigest()


def _form_fields(pairs, prefix=None):
    """The tree as form fields in bracket notation, in order."""
    for name, value in pairs:
        key = name if prefix is None else f"{prefix}[{name}]"
        if isinstance(value, list):
            yield from _form_fields(value, key)
        else:
            yield key, value


def _script(case):
    script = case.operation.definition.raw.get("x-freedompay-script")
    if script:
        return script
    return case.operation.path.rstrip("/").rsplit("/", 1)[-1]


def _signed_pairs(case, params):
    own = ("pg_merchant_id", "pg_salt", "pg_sig")
    pairs = [(k, v) for k, v in _tree(params) if k not in own]
    pairs = [("pg_merchant_id", MERCHANT_ID), *pairs, ("pg_salt", secrets.token_hex(8))]
    pairs.append(("pg_sig", pg_sig(_script(case), pairs, SECRET_KEY)))
    return pairs


# --- JWS ----------------------------------------------------------------------


def _b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws(uri, method, alg, body, key, auth_id):
    """The detached JWS of `body` (bytes, exactly as sent): `header..signature`."""
    header = json.dumps(
        {"uri": uri, "auth_id": auth_id, "method": method, "params": "", "alg": alg},
        separators=(",", ":"),
        ensure_ascii=False,
    )
    signing_input = f"{_b64url(header.encode('utf-8'))}.{_b64url(body)}"
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    tag = hmac.new(key.encode("utf-8"), signing_input.encode("ascii"), digest).digest()
    return f"{_b64url(header.encode('utf-8'))}..{_b64url(tag)}"


def _schemes(case):
    return {name for requirement in case.operation.definition.raw.get("security", []) for name in requirement}


# --- the hook -----------------------------------------------------------------


@schemathesis.hook
def before_call(context, case, kwargs):
    schemes = _schemes(case)
    headers = dict(case.headers or {})
    if case.path_parameters and "merchant_id" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "merchant_id": MERCHANT_ID}
    if "pgSig" in schemes:
        if case.query:
            case.query = {k: v for k, v in case.query.items() if k != "pg_sig"}
        if case.method.upper() == "GET":
            pairs = _signed_pairs(case, case.query or {})
            case.query = dict(_form_fields(pairs))
        else:
            # A body that is no object (a negative case) cannot be a form's
            # parameters: the request then carries the signed ones alone.
            body = case.body if isinstance(case.body, dict) else {}
            pairs = _signed_pairs(case, body)
            fields = list(_form_fields(pairs))
            if case.media_type == "multipart/form-data":
                kwargs["files"] = [(name, (None, value)) for name, value in fields]
            else:
                # A lone surrogate travels as the bytes it would be: not UTF-8.
                kwargs["data"] = "&".join(
                    f"{quote(k, safe='', errors='surrogatepass')}={quote(v, safe='', errors='surrogatepass')}"
                    for k, v in fields
                ).encode("ascii")
                headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif "jwsHs256" in schemes or "jwsHs512" in schemes:
        alg = "HS512" if "jwsHs512" in schemes else "HS256"
        if case.body is NOT_SET:
            body = b""
        elif isinstance(case.body, (bytes, bytearray)):
            body = bytes(case.body)
        elif isinstance(case.body, str):
            body = case.body.encode("utf-8")
        else:
            body = json.dumps(case.body, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass")
        kwargs["data"] = body
        headers["Content-Type"] = "application/json"
        headers["X-JWS-Signature"] = jws(case.operation.path, case.method.upper(), alg, body, SECRET_KEY, MERCHANT_ID)
        headers["X-Request-Id"] = str(uuid.uuid4())
    elif "freedomIdBasic" in schemes:
        token = base64.b64encode(f"{MERCHANT_ID}:{SECRET_KEY}".encode("utf-8")).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    case.headers = headers


# --- XML answers ----------------------------------------------------------------


_LIST_STYLES = {}


def _list_styles(document):
    """Every array property of the document's schemas: wrapped or repeated."""
    key = id(document)
    if key not in _LIST_STYLES:
        styles = {}

        def walk(node):
            if isinstance(node, dict):
                for name, prop in (node.get("properties") or {}).items():
                    if isinstance(prop, dict) and prop.get("type") == "array":
                        styles[name] = bool((prop.get("xml") or {}).get("wrapped"))
                for child in node.values():
                    walk(child)
            elif isinstance(node, list):
                for child in node:
                    walk(child)

        walk(document)
        _LIST_STYLES[key] = styles
    return _LIST_STYLES[key]


def _element(element, styles):
    children = list(element)
    if not children:
        return element.text or ""
    out = {}
    for child in children:
        name = child.tag
        if name in styles and styles[name]:
            out[name] = [_element(item, styles) for item in child]
        elif name in styles:
            out.setdefault(name, []).append(_element(child, styles))
        elif name not in out:
            out[name] = _element(child, styles)
    return out


@schemathesis.deserializer("application/xml", "text/xml")
def xml_answer(ctx, response):
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError as error:
        raise ValueError(f"the answer is not well-formed XML ({error}): {response.content[:300]!r}") from None
    styles = _list_styles(ctx.operation.schema.raw_schema)
    value = _element(root, styles)
    # An empty `<response/>` is an object with no members.
    return value if isinstance(value, dict) else {}


def check_vectors():
    """The signing above against documented vectors (run.sh runs it first)."""
    simple = [
        ("pg_order_id", "23"),
        ("pg_merchant_id", "12345"),
        ("pg_amount", "25"),
        ("pg_description", "test"),
        ("pg_salt", "molbulak"),
    ]
    assert pg_sig("init_payment.php", simple, "mysecret") == "02a4d571f7ac768f3e7e51e1b4afa122"
    nested = [
        ("pg_salt", "9imM909TH820jwk387"),
        ("pg_t_param", "value3"),
        ("pg_a_param", "value1"),
        ("pg_z_param", [("pg_q_subparam", "subvalue2"), ("pg_m_subparam", "subvalue1")]),
        ("pg_b_param", "value2"),
    ]
    assert pg_sig("script.php", nested, "mypasskey") == "a8a4d5a9188f24038a14a4d65c387bf7"
    body = b'{"request_id":"828cf71d-a447-4a67-a149-c1df8bc197ca"}'
    signature = jws("/v5/card-api/request/status", "POST", "HS512", body, "secret", "123456")
    assert signature.endswith("..f1sQoeIpX_ZjOaykQzSeylvvKaVrEQV4gNM2ACFbEMkFDUV9Zk5WO1yQGEWez-vnQMVHodLBDVEyh5Xm2-3MjQ")
