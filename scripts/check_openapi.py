#!/usr/bin/env python3
"""Conformance check of the running local stack against openapi.yaml.

Drives every route of the API (http://127.0.0.1:9000, started by `make up`) through its
success and every documented error, and validates each response with openapi-core: the
status code must be declared for the operation, the content type must match, and the body
must satisfy the declared schema. The requests of the success cases are validated too, the
examples of the document are checked against their schemas, and the webhook events the
local receiver got for the bots made here are checked against `WebhookSessionComplete` /
`WebhookBotJoinFailed`.

Prints one line per check and a closing `N passed, N failed` line; exits non-zero on any
mismatch or any 5xx. It starts and stops nothing: run `make up` first.

Environment: PAILFLOW_API (default http://127.0.0.1:9000), RECEIVER_URL
(http://127.0.0.1:9200), AWS_ENDPOINT_URL (http://127.0.0.1:4566), TABLE_NAME
(pailflow-local), CARGO_TARGET_DIR (default ~/.cache/pailflow-target).

The exit report route is authenticated by the per-bot secret join hands to the bot runtime;
the script plays the bot, so it reads that secret from the Pipecat stand-in
(STANDIN_URL, default http://127.0.0.1:9100).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = Path(os.environ.get("OPENAPI_SPEC", ROOT / "openapi.yaml"))
API = os.environ.get("PAILFLOW_API", "http://127.0.0.1:9000").rstrip("/")
RECEIVER = os.environ.get("RECEIVER_URL", "http://127.0.0.1:9200").rstrip("/")
STANDIN = os.environ.get("STANDIN_URL", "http://127.0.0.1:9100").rstrip("/")

LOCAL_ENV = {
    "AWS_ENDPOINT_URL": os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
    "AWS_REGION": os.environ.get("AWS_REGION", "us-east-1"),
    "AWS_ACCESS_KEY_ID": os.environ.get("AWS_ACCESS_KEY_ID", "local"),
    "AWS_SECRET_ACCESS_KEY": os.environ.get("AWS_SECRET_ACCESS_KEY", "local"),
    "TABLE_NAME": os.environ.get("TABLE_NAME", "pailflow-local"),
    "CARGO_TARGET_DIR": os.environ.get(
        "CARGO_TARGET_DIR", str(Path.home() / ".cache" / "pailflow-target")
    ),
}



import requests  # noqa: E402
import yaml  # noqa: E402
from openapi_core import Config, OpenAPI  # noqa: E402
from openapi_core.contrib.requests import (  # noqa: E402
    RequestsOpenAPIRequest,
    RequestsOpenAPIResponse,
)
from openapi_core.deserializing.media_types.util import plain_loads  # noqa: E402
from openapi_schema_validator import OAS30Validator, oas30_format_checker  # noqa: E402

SPEC = yaml.safe_load(SPEC_PATH.read_text())
# The transcript export's text files are strings (openapi-core reads only text/plain so).
TEXT_TYPES = ("text/vtt", "application/x-subrip", "text/markdown")
OPENAPI = OpenAPI.from_file_path(
    str(SPEC_PATH),
    config=Config(extra_media_type_deserializers={t: plain_loads for t in TEXT_TYPES}),
)
HTTP = requests.Session()

MALFORMED_ID = "not-a-uuid"
REPORT_LIMIT = 5 * 1024 * 1024
JOIN_LIMIT = 64 * 1024


# ---------------------------------------------------------------- reporting


class Results:
    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def record(self, ok: bool, line: str, problems: list[str]) -> None:
        if ok:
            self.passed += 1
            print(f"PASS  {line}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL  {line}", flush=True)
            for p in problems:
                print(f"        {p}", flush=True)


RESULTS = Results()


def short(text: str, limit: int = 240) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def error_messages(exc: BaseException) -> list[str]:
    """The schema errors inside an openapi-core exception, one short line each."""
    out: list[str] = []
    seen = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append(short(f"{type(e).__name__}: {e}", 160))
        for se in getattr(e, "schema_errors", None) or []:
            path = "/".join(str(p) for p in se.absolute_path)
            out.append(f"  at /{path}: {short(se.message)}")
            for sub in se.context or []:
                subpath = "/".join(str(p) for p in sub.absolute_path)
                out.append(f"    (/{subpath}) {short(sub.message)}")
        e = e.__cause__ or e.__context__
    return out[:25]


def schema_errors(name: str, instance: Any) -> list[str]:
    schema = {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    out = []
    for e in validator.iter_errors(instance):
        out.append(f"at /{'/'.join(str(p) for p in e.absolute_path)}: {short(e.message)}")
        for sub in e.context or []:
            out.append(f"    (/{'/'.join(str(p) for p in sub.absolute_path)}) {short(sub.message)}")
    return out


# ---------------------------------------------------------------- requests


def bearer(token: str | None) -> dict[str, str]:
    return {} if token is None else {"Authorization": f"Bearer {token}"}


def call(
    label: str,
    method: str,
    path: str,
    *,
    expect: int,
    auth: str | None = None,
    headers: dict[str, str] | None = None,
    json_body: Any = None,
    data: bytes | str | None = None,
    expect_error: str | None = None,
    validate_request: bool = False,
    check: Callable[[requests.Response], list[str]] | None = None,
    content_type: str = "application/json",
) -> requests.Response:
    """Sends one request, validates the response against the document, records the check."""
    all_headers = {**bearer(auth), **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body)
        all_headers.setdefault("Content-Type", "application/json")
    req = requests.Request(method, API + path, headers=all_headers, data=data)
    prepared = HTTP.prepare_request(req)
    resp = HTTP.send(prepared, timeout=60)
    problems: list[str] = []
    if resp.status_code != expect:
        problems.append(f"expected HTTP {expect}, got {resp.status_code}: {resp.text[:400]}")
    # A 5xx fails the run, except the documented 502 of a join the bot runtime refused,
    # which the check provokes on purpose.
    if resp.status_code >= 500 and not (resp.status_code == expect == 502):
        problems.append(f"server error {resp.status_code}: {resp.text[:400]}")
    ctype = resp.headers.get("content-type", "")
    if not ctype.startswith(content_type):
        problems.append(f"content-type is {ctype!r}, expected {content_type}")
    try:
        OPENAPI.validate_response(
            RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(resp)
        )
    except Exception as exc:  # every openapi-core validation error
        problems.append("response does not match openapi.yaml:")
        problems.extend(error_messages(exc))
    if validate_request:
        try:
            OPENAPI.validate_request(RequestsOpenAPIRequest(prepared))
        except Exception as exc:
            problems.append("request does not match openapi.yaml:")
            problems.extend(error_messages(exc))
    body = None
    try:
        body = resp.json() if content_type == "application/json" else resp.text
    except ValueError:
        problems.append(f"body is not JSON: {resp.text[:200]!r}")
    if expect_error is not None and isinstance(body, dict):
        got = body.get("code") if "code" in body and "detail" not in body else body.get("error")
        if got != expect_error:
            problems.append(f"expected error code {expect_error!r}, got {got!r}")
    if resp.status_code == 401 and "www-authenticate" not in resp.headers:
        problems.append("401 without a WWW-Authenticate header")
    if check is not None and not problems:
        problems.extend(check(resp))
    shown = path if len(path) <= 90 else path[:87] + "..."
    RESULTS.record(
        not problems, f"{method:6} {shown} -> {resp.status_code}  [{label}]", problems
    )
    return resp


def expect_fields(**expected: Any) -> Callable[[requests.Response], list[str]]:
    def check(resp: requests.Response) -> list[str]:
        body = resp.json()
        return [
            f"field {k!r} is {body.get(k)!r}, expected {v!r}"
            for k, v in expected.items()
            if body.get(k) != v
        ]

    return check


def note(ok: bool, label: str, problems: list[str] | None = None) -> None:
    RESULTS.record(ok, label, problems or [])


# ---------------------------------------------------------------- local stack helpers


def cargo_xtask(*args: str) -> str:
    env = {**os.environ, **LOCAL_ENV}
    out = subprocess.run(
        ["cargo", "run", "-q", "-p", "xtask", "--", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    if not lines:
        raise SystemExit(f"xtask {' '.join(args)} printed nothing: {out.stderr}")
    return lines[-1].strip()


def bot_secret(bot_id: str) -> str:
    """The per-bot secret join handed to the bot runtime, read from the stand-in (which plays
    the bot) the way a real bot would know it."""
    r = HTTP.get(f"{STANDIN}/_control/bots/{bot_id}", timeout=30)
    r.raise_for_status()
    return r.json()["report_secret"]


def status_of(bot_id: str, key: str) -> dict:
    r = HTTP.get(f"{API}/api/bot/{bot_id}/status", headers=bearer(key), timeout=30)
    r.raise_for_status()
    return r.json()


def wait_for(bot_id: str, key: str, phases: set[str], seconds: float = 45) -> dict:
    deadline = time.monotonic() + seconds
    body = status_of(bot_id, key)
    while body["phase"] not in phases and time.monotonic() < deadline:
        time.sleep(0.5)
        body = status_of(bot_id, key)
    return body


def wait_deliveries(bot_id: str, key: str, seconds: float = 45) -> dict:
    """Waits until every owed delivery has an outcome (delivered or failed)."""
    deadline = time.monotonic() + seconds
    while True:
        body = status_of(bot_id, key)
        log = HTTP.get(f"{API}/api/bot/{bot_id}/deliveries", headers=bearer(key), timeout=30)
        states = [d["state"] for d in log.json().get("deliveries", [])]
        if all(s in ("delivered", "failed") for s in states) or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def preflight() -> None:
    problems = []
    for name, url in (("API", f"{API}/"), ("webhook receiver", f"{RECEIVER}/events")):
        try:
            HTTP.get(url, timeout=5)
        except requests.RequestException as e:
            problems.append(f"{name} at {url} is not answering ({e})")
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print("start the local stack first: make up", file=sys.stderr)
        sys.exit(2)


# ---------------------------------------------------------------- the document itself


def check_document_examples() -> None:
    """Every example in the document satisfies its own schema."""
    problems: list[str] = []
    count = 0

    def deref(schema: dict) -> dict:
        while "$ref" in schema:
            node: Any = SPEC
            for part in schema["$ref"].lstrip("#/").split("/"):
                node = node[part]
            schema = node
        return schema

    def validate(where: str, schema: dict, value: Any) -> None:
        nonlocal count
        count += 1
        wrapped = {**schema, "components": SPEC["components"]}
        for e in OAS30Validator(wrapped, format_checker=oas30_format_checker).iter_errors(value):
            problems.append(f"{where}: at /{'/'.join(map(str, e.absolute_path))}: {short(e.message)}")
            for sub in e.context or []:
                problems.append(f"    (/{'/'.join(map(str, sub.absolute_path))}) {short(sub.message)}")

    def media_examples(where: str, media: dict) -> None:
        schema = media.get("schema", {})
        if "example" in media:
            validate(where, schema, media["example"])
        for name, ex in (media.get("examples") or {}).items():
            validate(f"{where} ({name})", schema, ex["value"])

    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            for media_type, media in (op.get("requestBody", {}).get("content") or {}).items():
                media_examples(f"{method.upper()} {path} request", media)
            for code, resp in op["responses"].items():
                resp = deref(resp)
                for media_type, media in (resp.get("content") or {}).items():
                    media_examples(f"{method.upper()} {path} {code}", media)
    for name, schema in SPEC["components"]["schemas"].items():
        if "example" in schema:
            validate(f"components.schemas.{name}", {"$ref": f"#/components/schemas/{name}"}, schema["example"])
    note(not problems, f"document: {count} examples satisfy their schemas", problems)


# ---------------------------------------------------------------- the routes


def join_body(**extra: Any) -> dict:
    body = {
        "room_url": f"https://acme.daily.co/conformance-{uuid.uuid4().hex[:8]}",
        "bot_config": {"bot_prompt": "You are a friendly note-taker."},
    }
    body.update(extra)
    return body


# The seeds' texts, which clients may match on.
AUTH_TEXTS = {"detail": "API key authentication failed.",
              "message": "Please verify your API key or contact support."}
PIPECAT_AUTH_TEXTS = {"error": "API key authentication failed.", "code": "authentication_error"}


def not_found_texts(bot: str, pipecat: bool = False) -> Callable[[requests.Response], list[str]]:
    if pipecat:
        return expect_fields(error=f"Bot session {bot} not found", code="not_found")
    return expect_fields(detail=f"Bot session {bot} not found",
                         message="The specified bot session does not exist.")


def auth_failures(method: str, path: str, what: str, pipecat: bool = False) -> None:
    texts = expect_fields(**(PIPECAT_AUTH_TEXTS if pipecat else AUTH_TEXTS))
    for label, headers in (
        ("no Authorization header", {}),
        ("malformed Authorization header", {"Authorization": "Token pfk_abc"}),
        ("Bearer without a token", {"Authorization": "Bearer"}),
        ("wrong API key", {"Authorization": "Bearer pfk_" + secrets.token_urlsafe(32)}),
    ):
        call(f"{what}: {label}", method, path, expect=401, headers=headers,
             expect_error="authentication_error", check=texts)


def main() -> int:
    preflight()
    check_document_examples()

    account_a, account_b = "oas-check-a", "oas-check-b"
    key_a = cargo_xtask("api-key", account_a)
    key_b = cargo_xtask("api-key", account_b)
    cargo_xtask("webhook-secret", account_a)  # makes sure the receiver can verify signatures
    hook_a = f"{RECEIVER}/hooks/{account_a}"
    note(key_a.startswith("pfk_") and key_b.startswith("pfk_"), "two API keys from xtask api-key")
    made: list[str] = []  # bots of account A, for the webhook checks

    # ---- POST /api/bot/join
    J = "/api/bot/join"
    r = call("join: minimal body", "POST", J, expect=200, auth=key_a, json_body=join_body(),
             validate_request=True, check=expect_fields(status="started"))
    running_bot = r.json().get("bot_id")
    full = join_body(
        bot_config={
            "bot_prompt": "Take notes and answer questions.",
            "name": "PailFlow Notetaker",
            "video_mode": "none",
            "bot_greeting": "Hi, I'm taking notes.",
            "stop_phrase": "goodbye notetaker",
            "voice": "alloy",
            "bot_image": "https://example.com/bot.png",
            "custom_key": {"passed": "on"},
        },
        token="room-token-123",
        provider="daily",
        process_insights=True,
        email="team@example.com",
        analysis_prompt="Focus on decisions.",
        summary_format_prompt="Three bullet points.",
        webhook_callback_url=hook_a,
        metadata={"team": "sales", "deal.id": "4711"},
        webhook_events=["session_complete", "bot_join_failed", "status_change"],
        retention_hours=720,
        email_on_failure=False,
    )
    r = call("join: every field", "POST", J, expect=200, auth=key_a, json_body=full,
             validate_request=True)
    full_bot = r.json().get("bot_id")
    made.append(full_bot)
    nulls_bot = call("join: nulls for optional fields", "POST", J, expect=200, auth=key_a,
         json_body=join_body(token=None, provider=None, process_insights=None, email=None,
                             analysis_prompt=None, summary_format_prompt=None,
                             webhook_callback_url=None),
         validate_request=True).json().get("bot_id")
    vnd_bot = call("join: application/*+json content type", "POST", J, expect=200, auth=key_a,
                   data=json.dumps(join_body()),
                   headers={"Content-Type": "application/vnd.api+json"}).json().get("bot_id")
    auth_failures("POST", J, "join")
    for label, payload in (
        ("body not JSON", "room_url=https://acme.daily.co/x"),
        ("body a JSON array", "[1, 2]"),
        ("empty body", ""),
    ):
        call(f"join: {label}", "POST", J, expect=400, auth=key_a, data=payload,
             headers={"Content-Type": "application/json"}, expect_error="invalid_request")
    for label, payload in (
        ("missing room_url", {"bot_config": {"bot_prompt": "x"}}),
        ("missing bot_config", {"room_url": "https://acme.daily.co/x"}),
        ("missing bot_config.bot_prompt", {"room_url": "https://acme.daily.co/x", "bot_config": {}}),
        ("blank bot_prompt", join_body(bot_config={"bot_prompt": "  "})),
        ("room_url wrong type", join_body(room_url=42)),
        ("room_url not a URL", join_body(room_url="not a url")),
        ("bot_config wrong type", join_body(bot_config="prompt")),
        ("bot_config.name wrong type", join_body(bot_config={"bot_prompt": "x", "name": ["x"]})),
        ("process_insights wrong type", join_body(process_insights="yes")),
        ("provider invalid", join_body(provider="Daily Co")),
        ("email invalid", join_body(email="not-an-email")),
        ("webhook_callback_url invalid", join_body(webhook_callback_url="ftp://x")),
    ):
        call(f"join: {label}", "POST", J, expect=400, auth=key_a, json_body=payload,
             expect_error="invalid_request")
    call("join: text/plain body", "POST", J, expect=415, auth=key_a,
         data=json.dumps(join_body()), headers={"Content-Type": "text/plain"},
         expect_error="unsupported_media_type")
    big = join_body(bot_config={"bot_prompt": "x" * (JOIN_LIMIT + 1000)})
    call("join: body over 64 KiB", "POST", J, expect=413, auth=key_a, json_body=big,
         expect_error="payload_too_large")
    idem = f"oas-{uuid.uuid4()}"
    first = join_body()
    r1 = call("join: Idempotency-Key first use", "POST", J, expect=200, auth=key_a,
              json_body=first, headers={"Idempotency-Key": idem}, validate_request=True)
    replay_bot = r1.json().get("bot_id")
    call("join: Idempotency-Key replay, same body", "POST", J, expect=200, auth=key_a,
         json_body=first, headers={"Idempotency-Key": idem},
         check=expect_fields(bot_id=replay_bot, status="started"))
    reordered = json.dumps({"bot_config": first["bot_config"], "room_url": first["room_url"]}, indent=2)
    call("join: Idempotency-Key replay, same body reordered", "POST", J, expect=200, auth=key_a,
         data=reordered, headers={"Idempotency-Key": idem, "Content-Type": "application/json"},
         check=expect_fields(bot_id=replay_bot))
    call("join: Idempotency-Key reused with another body", "POST", J, expect=422, auth=key_a,
         json_body=join_body(), headers={"Idempotency-Key": idem}, expect_error="idempotency_error")
    call("join: Idempotency-Key invalid", "POST", J, expect=400, auth=key_a,
         json_body=join_body(), headers={"Idempotency-Key": "x" * 300},
         expect_error="invalid_request")
    refused = join_body(bot_config={"bot_prompt": "x", "standin": {"start": "fail"}},
                        webhook_callback_url=hook_a)
    idem_fail = f"oas-fail-{uuid.uuid4()}"
    r = call("join: bot runtime refuses", "POST", J, expect=502, auth=key_a, json_body=refused,
             headers={"Idempotency-Key": idem_fail}, expect_error="bot_start_failed",
             check=lambda resp: [] if resp.json().get("bot_id") else ["no bot_id"])
    failed_bot = r.json().get("bot_id")
    made.append(failed_bot)
    call("join: replay of a refused join", "POST", J, expect=502, auth=key_a, json_body=refused,
         headers={"Idempotency-Key": idem_fail}, expect_error="bot_start_failed",
         check=expect_fields(bot_id=failed_bot))

    # ---- GET /api/bot/{bot_id}/status
    def S(bot: str) -> str:
        return f"/api/bot/{bot}/status"

    call("status: running bot", "GET", S(running_bot), expect=200, auth=key_a,
         validate_request=True, check=expect_fields(status="running", phase="in_call"))
    call("status: failed join", "GET", S(failed_bot), expect=200, auth=key_a,
         check=expect_fields(status="failed", phase="failed"))
    auth_failures("GET", S(running_bot), "status")
    call("status: malformed id", "GET", S(MALFORMED_ID), expect=400, auth=key_a,
         expect_error="invalid_request")
    unknown = str(uuid.uuid4())
    call("status: unknown id", "GET", S(unknown), expect=404, auth=key_a,
         expect_error="not_found", check=not_found_texts(unknown))
    call("status: another account's bot", "GET", S(running_bot), expect=404, auth=key_b,
         expect_error="not_found", check=not_found_texts(running_bot))

    # ---- POST /v1/bots/leave/{bot_id}
    def L(bot: str) -> str:
        return f"/v1/bots/leave/{bot}"

    auth_failures("POST", L(running_bot), "stop")
    call("stop: malformed id", "POST", L(MALFORMED_ID), expect=400, auth=key_a,
         expect_error="invalid_request")
    call("stop: unknown id", "POST", L(unknown), expect=404, auth=key_a,
         expect_error="not_found", check=not_found_texts(unknown))
    call("stop: another account's bot", "POST", L(full_bot), expect=404, auth=key_b,
         expect_error="not_found", check=not_found_texts(full_bot))
    msg = "Bot stop request sent. Bot will exit within 5 seconds."
    call("stop: running bot", "POST", L(full_bot), expect=200, auth=key_a, validate_request=True,
         check=expect_fields(status="leave_requested", bot_id=full_bot, message=msg))
    call("stop: twice", "POST", L(full_bot), expect=200, auth=key_a,
         check=expect_fields(status="leave_requested", bot_id=full_bot, message=msg))
    call("stop: failed join", "POST", L(failed_bot), expect=409, auth=key_a, expect_error="conflict")

    # ---- DELETE /agents/{agentName}/sessions/{sessionId}
    def P(bot: str) -> str:
        return f"/agents/meeting-bot/sessions/{bot}"

    pipecat_bot = call("join: bot for the Pipecat route, process_insights false", "POST", J,
                       expect=200, auth=key_a,
                       json_body=join_body(process_insights=False, webhook_callback_url=hook_a),
                       validate_request=True).json().get("bot_id")
    made.append(pipecat_bot)
    auth_failures("DELETE", P(pipecat_bot), "pipecat stop", pipecat=True)
    call("pipecat stop: malformed id", "DELETE", P(MALFORMED_ID), expect=400, auth=key_a,
         expect_error="invalid_request")
    call("pipecat stop: unknown id", "DELETE", P(unknown), expect=404, auth=key_a,
         expect_error="not_found", check=not_found_texts(unknown, pipecat=True))
    call("pipecat stop: another account's bot", "DELETE", P(pipecat_bot), expect=404, auth=key_b,
         expect_error="not_found", check=not_found_texts(pipecat_bot, pipecat=True))
    call("pipecat stop: running bot", "DELETE", P(pipecat_bot), expect=200, auth=key_a,
         validate_request=True, check=expect_fields(status="terminated", session_id=pipecat_bot))
    call("pipecat stop: twice", "DELETE", P(pipecat_bot), expect=200, auth=key_a,
         check=expect_fields(status="terminated", session_id=pipecat_bot))

    # ---- POST /v1/bots/{bot_id}/exit (the bot runtime's route)
    def E(bot: str) -> str:
        return f"/v1/bots/{bot}/exit"

    report_bot = call("join: bot that reports through this script", "POST", J, expect=200,
                      auth=key_a, json_body=join_body(
                          bot_config={"bot_prompt": "x", "standin": {"report": "never"}},
                          webhook_callback_url=hook_a)).json().get("bot_id")
    made.append(report_bot)
    secret = bot_secret(report_bot)
    report = {
        "exit_reason": "participant_left",
        "ended_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "transcript": [
            {"speaker": "Ada", "text": "When do we launch the new dashboard?", "start_ms": 0, "end_ms": 2100},
            {"speaker": "Bob", "text": "We launch on the fifteenth if the load tests pass.", "start_ms": 2300, "end_ms": 5600},
            {"speaker": "Ada", "text": "Bob will send the load test report by Friday.", "start_ms": 5800, "end_ms": 8800},
        ],
    }
    call("report: malformed id", "POST", E(MALFORMED_ID), expect=400, auth=secret,
         json_body=report, expect_error="invalid_request")
    call("report: no Authorization header", "POST", E(report_bot), expect=401,
         json_body=report, expect_error="authentication_error")
    call("report: wrong bot secret", "POST", E(report_bot), expect=401,
         auth="pfb_" + secrets.token_urlsafe(32), json_body=report,
         expect_error="authentication_error")
    call("report: API key instead of the bot secret", "POST", E(report_bot), expect=401,
         auth=key_a, json_body=report, expect_error="authentication_error")
    call("report: unknown bot", "POST", E(str(uuid.uuid4())), expect=401, auth=secret,
         json_body=report, expect_error="authentication_error")
    call("report: text/plain body", "POST", E(report_bot), expect=415, auth=secret,
         data=json.dumps(report), headers={"Content-Type": "text/plain"},
         expect_error="unsupported_media_type")
    call("report: body not JSON", "POST", E(report_bot), expect=400, auth=secret,
         data="exit_reason=participant_left", headers={"Content-Type": "application/json"},
         expect_error="invalid_request")
    for label, payload in (
        ("missing exit_reason", {k: v for k, v in report.items() if k != "exit_reason"}),
        ("unknown exit_reason", {**report, "exit_reason": "bored"}),
        ("ended_at not RFC 3339", {**report, "ended_at": "yesterday"}),
        ("transcript wrong type", {**report, "transcript": "hi"}),
        ("segment ends before it starts",
         {**report, "transcript": [{"speaker": "A", "text": "x", "start_ms": 5, "end_ms": 2}]}),
        ("negative start_ms",
         {**report, "transcript": [{"speaker": "A", "text": "x", "start_ms": -1, "end_ms": 2}]}),
    ):
        call(f"report: {label}", "POST", E(report_bot), expect=400, auth=secret,
             json_body=payload, expect_error="invalid_request")
    oversize = {**report, "padding": "x" * (REPORT_LIMIT + 1024)}
    call("report: body over 5 MiB", "POST", E(report_bot), expect=413, auth=secret,
         json_body=oversize, expect_error="payload_too_large")
    r = call("report: accepted", "POST", E(report_bot), expect=202, auth=secret,
             json_body=report, validate_request=True,
             check=expect_fields(status="accepted", bot_id=report_bot, duplicate=False))
    exit_id = r.json().get("exit_id")
    call("report: identical retry", "POST", E(report_bot), expect=202, auth=secret,
         json_body=report, check=expect_fields(duplicate=True, exit_id=exit_id))
    call("report: a different report", "POST", E(report_bot), expect=409, auth=secret,
         json_body={**report, "exit_reason": "stop_phrase"}, expect_error="conflict")

    # ---- finished bots: stops answer 409, status shows the results
    for bot, stop_label in ((full_bot, "stop"), (pipecat_bot, "pipecat stop"), (report_bot, "stop")):
        done = wait_for(bot, key_a, {"completed", "failed"})
        note(done["phase"] == "completed",
             f"{bot} completed (phase {done['phase']}, status {done['status']})")
    call("stop: after completion", "POST", L(full_bot), expect=409, auth=key_a, expect_error="conflict")
    call("pipecat stop: after completion", "DELETE", P(pipecat_bot), expect=409, auth=key_a,
         expect_error="conflict")
    call("stop: bot that reported its exit", "POST", L(report_bot), expect=409, auth=key_a,
         expect_error="conflict")
    call("report: after completion", "POST", E(report_bot), expect=202, auth=secret,
         json_body=report, check=expect_fields(duplicate=True))

    def completed_has_results(resp: requests.Response, insights: bool = True) -> list[str]:
        b = resp.json()
        problems = []
        for field in ("transcript", "qa_pairs", "insights", "completed_at", "exit_reason", "ended_at"):
            if b.get(field) is None and (insights or field != "insights"):
                problems.append(f"{field} is null on a completed bot")
        if not insights and b.get("insights") is not None:
            problems.append("insights present although process_insights was false")
        return problems

    wait_deliveries(full_bot, key_a)
    call("status: completed bot (email + webhook)", "GET", S(full_bot), expect=200, auth=key_a,
         check=completed_has_results)
    wait_deliveries(pipecat_bot, key_a)
    call("status: completed bot without insights (Pipecat stop)", "GET", S(pipecat_bot),
         expect=200, auth=key_a, check=lambda resp: completed_has_results(resp, insights=False))
    wait_deliveries(report_bot, key_a)
    call("status: completed bot (reported here)", "GET", S(report_bot), expect=200, auth=key_a,
         check=lambda resp: completed_has_results(resp)
         + ([] if resp.json().get("exit_reason") == "participant_left" else ["exit_reason"]))
    wait_deliveries(failed_bot, key_a)
    call("status: failed join, after its webhook", "GET", S(failed_bot), expect=200, auth=key_a)

    # ---- GET /api/bot/{bot_id}/transcript (the transcript this script reported)
    def T(bot: str, fmt: str | None = None) -> str:
        return f"/api/bot/{bot}/transcript" + ("" if fmt is None else f"?format={fmt}")

    def starts(prefix: str) -> Callable[[requests.Response], list[str]]:
        return lambda resp: ([] if resp.text.startswith(prefix)
                             else [f"body starts {resp.text[:80]!r}, expected {prefix!r}"])

    segments = report["transcript"]
    exports = (
        ("json", "application/json",
         lambda resp: [] if resp.json() == segments else ["not the reported segments"]),
        ("txt", "text/plain; charset=utf-8", starts("Ada: When do we launch the new dashboard?\nBob: ")),
        ("srt", "application/x-subrip; charset=utf-8",
         starts("1\n00:00:00,000 --> 00:00:02,100\nAda: When do we launch the new dashboard?\n\n2\n")),
        ("vtt", "text/vtt; charset=utf-8",
         starts("WEBVTT\n\n00:00:00.000 --> 00:00:02.100\n<v Ada>When do we launch the new dashboard?\n\n")),
        ("md", "text/markdown; charset=utf-8",
         starts("# Transcript\n\n**Ada** (00:00): When do we launch the new dashboard?\n\n**Bob** (00:02): ")),
    )
    for fmt, ctype, check in exports:
        call(f"export: {fmt}", "GET", T(report_bot, fmt), expect=200, auth=key_a,
             validate_request=True, content_type=ctype, check=check)
    call("export: no format (json)", "GET", T(report_bot), expect=200, auth=key_a,
         validate_request=True, check=lambda resp: [] if resp.json() == segments else ["not json"])
    auth_failures("GET", T(report_bot, "vtt"), "export")
    call("export: unknown format", "GET", T(report_bot, "xml"), expect=400, auth=key_a,
         expect_error="invalid_request",
         check=expect_fields(detail="Unknown transcript format 'xml'; use one of: json, txt, srt, vtt, md."))
    call("export: malformed id", "GET", T(MALFORMED_ID, "vtt"), expect=400, auth=key_a,
         expect_error="invalid_request")
    call("export: unknown id", "GET", T(unknown, "vtt"), expect=404, auth=key_a,
         expect_error="not_found", check=not_found_texts(unknown))
    call("export: another account's bot", "GET", T(report_bot, "vtt"), expect=404, auth=key_b,
         expect_error="not_found", check=not_found_texts(report_bot))
    call("export: running bot (no transcript yet)", "GET", T(running_bot, "vtt"), expect=404,
         auth=key_a, expect_error="not_found",
         check=expect_fields(detail=f"Bot session {running_bot} has no transcript yet."))
    call("export: failed join (no transcript)", "GET", T(failed_bot, "srt"), expect=404,
         auth=key_a, expect_error="not_found")

    # ---- webhooks the receiver got for these bots
    events = HTTP.get(f"{RECEIVER}/events", timeout=10).json()
    for bot in made:
        mine = [e for e in events if e.get("event", {}).get("bot_id") == bot]
        if not mine:
            note(False, f"webhook for {bot}: none received")
            continue
        for e in mine:
            body = e["event"]
            kind = body.get("event")
            name = {"session_complete": "WebhookSessionComplete",
                    "bot_join_failed": "WebhookBotJoinFailed",
                    "status_change": "WebhookStatusChange",
                    "insights_updated": "WebhookInsightsUpdated"}.get(kind)
            problems = schema_errors(name, body) if name else [f"unknown event {kind!r}"]
            if not e.get("verified"):
                problems.append("Standard Webhooks signature did not verify")
            if not e.get("webhook_id", "").startswith("msg_"):
                problems.append(f"webhook-id {e.get('webhook_id')!r}")
            note(not problems, f"webhook {kind} for {bot} (attempt {e.get('attempt')})", problems)

    # ---- GET /api/bots
    r = call("list: first page", "GET", "/api/bots?limit=2", expect=200, auth=key_a,
             validate_request=True,
             check=lambda resp: [] if len(resp.json()["bots"]) == 2 else ["not 2 bots"])
    cursor = r.json().get("next_cursor")
    note(bool(cursor), "list: a next_cursor after a full page")
    if cursor:
        call("list: next page", "GET", f"/api/bots?limit=2&cursor={cursor}", expect=200,
             auth=key_a)
        call("list: another account's cursor", "GET", f"/api/bots?cursor={cursor}",
             expect=400, auth=key_b, expect_error="invalid_request")
        call("list: an edited cursor", "GET", f"/api/bots?cursor=A{cursor}", expect=400,
             auth=key_a, expect_error="invalid_request")
    call("list: by status and metadata", "GET",
         "/api/bots?status=completed&metadata.team=sales", expect=200, auth=key_a,
         check=lambda resp: ([] if full_bot in [b["bot_id"] for b in resp.json()["bots"]]
                             else [f"{full_bot} missing"])
         + [f"{b['bot_id']} does not match" for b in resp.json()["bots"]
            if b["status"] != "completed" or b["metadata"].get("team") != "sales"])
    call("list: by creation time", "GET",
         "/api/bots?created_after=2020-01-01T00:00:00Z&created_before=2100-01-01T00:00:00Z",
         expect=200, auth=key_a)
    call("list: another account sees none of these", "GET", "/api/bots?limit=100", expect=200,
         auth=key_b, check=lambda resp: [
             f"{b['bot_id']} is acme's" for b in resp.json()["bots"] if b["bot_id"] in made])
    for label, query in (("limit 0", "limit=0"), ("limit 101", "limit=101"),
                         ("unknown status", "status=done"), ("bad time", "created_after=today"),
                         ("unknown parameter", "order=asc"), ("bad metadata key", "metadata.a%20b=x")):
        call(f"list: {label}", "GET", f"/api/bots?{query}", expect=400, auth=key_a,
             expect_error="invalid_request")
    auth_failures("GET", "/api/bots", "list")

    # ---- delivery log, redelivery, insights versions and re-runs
    call("deliveries: completed bot", "GET", f"/api/bot/{full_bot}/deliveries", expect=200,
         auth=key_a, check=lambda resp: [] if {"email", "webhook"} <= {
             d["delivery_id"] for d in resp.json()["deliveries"]} else ["email or webhook missing"])
    call("deliveries: another account's bot", "GET", f"/api/bot/{full_bot}/deliveries",
         expect=404, auth=key_b, check=not_found_texts(full_bot))
    R = f"/api/bot/{full_bot}/deliveries/webhook/redeliver"
    call("redeliver: an unknown delivery", "POST", f"/api/bot/{full_bot}/deliveries/event-99/redeliver",
         expect=404, auth=key_a, expect_error="not_found")
    call("redeliver: a URL inside", "POST", R, expect=400, auth=key_a,
         json_body={"url": "https://169.254.169.254/latest"}, expect_error="invalid_request")
    call("redeliver: an unknown field", "POST", R, expect=400, auth=key_a,
         json_body={"uri": "https://example.com"}, expect_error="invalid_request")
    call("redeliver: the webhook", "POST", R, expect=202, auth=key_a, validate_request=True)
    call("redeliver: another account's bot", "POST", R, expect=404, auth=key_b)
    wait_deliveries(full_bot, key_a)
    call("insights: latest", "GET", f"/api/bot/{full_bot}/insights", expect=200, auth=key_a)
    call("insights: a version that is not there", "GET", f"/api/bot/{full_bot}/insights?version=99",
         expect=404, auth=key_a, expect_error="not_found")
    call("insights: a bad version", "GET", f"/api/bot/{full_bot}/insights?version=zero",
         expect=400, auth=key_a, expect_error="invalid_request")
    call("insights re-run: a running bot", "POST", f"/api/bot/{running_bot}/insights", expect=409,
         auth=key_a, json_body={}, expect_error="conflict")
    call("insights re-run: a bad body", "POST", f"/api/bot/{full_bot}/insights", expect=400,
         auth=key_a, json_body={"deliver": {"sms": True}}, expect_error="invalid_request")
    call("insights re-run", "POST", f"/api/bot/{full_bot}/insights", expect=202, auth=key_a,
         validate_request=True, json_body={"analysis_prompt": "Decisions only",
                                           "deliver": {"webhook": True}})
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and status_of(full_bot, key_a).get("insights_version") != 2:
        time.sleep(0.5)
    call("insights: version 1 after a re-run", "GET", f"/api/bot/{full_bot}/insights?version=1",
         expect=200, auth=key_a, check=lambda resp: [] if resp.json()["latest_version"] == 2
         else ["the re-run did not store version 2"])
    wait_deliveries(full_bot, key_a)
    auth_failures("GET", f"/api/bot/{full_bot}/deliveries", "deliveries")
    auth_failures("POST", f"/api/bot/{full_bot}/insights", "insights re-run")

    # ---- DELETE /api/bot/{bot_id}/data
    def D(bot: str) -> str:
        return f"/api/bot/{bot}/data"

    call("delete data: running bot", "DELETE", D(running_bot), expect=409, auth=key_a,
         expect_error="conflict")
    call("delete data: another account's bot", "DELETE", D(report_bot), expect=404, auth=key_b,
         check=not_found_texts(report_bot))
    call("delete data: malformed id", "DELETE", D("not-a-uuid"), expect=400, auth=key_a,
         expect_error="invalid_request")
    receipt = call("delete data: completed bot", "DELETE", D(report_bot), expect=200,
                   auth=key_a, validate_request=True,
                   check=lambda resp: [] if resp.json()["deleted"]["results"] == 1
                   else ["no results removed"]).json()
    call("delete data: again, the same receipt", "DELETE", D(report_bot), expect=200,
         auth=key_a, check=lambda resp: [] if resp.json() == receipt else ["another receipt"])
    call("status: after the deletion", "GET", S(report_bot), expect=200, auth=key_a,
         check=lambda resp: [f"{f} is not null" for f in ("transcript", "qa_pairs", "insights")
                             if resp.json().get(f) is not None]
         + ([] if resp.json().get("data_deleted_at") == receipt.get("deleted_at")
            else ["data_deleted_at is not the receipt's"]))
    call("export: after the deletion", "GET", f"/api/bot/{report_bot}/transcript?format=vtt",
         expect=410, auth=key_a, expect_error="gone")
    auth_failures("DELETE", D(report_bot), "delete data")

    # ---- the account's own routes, on an account of this run (its keys, endpoint, test events)
    account_k = f"oas-keys-{uuid.uuid4().hex[:8]}"
    key_k = cargo_xtask("api-key", account_k)
    hook_k = f"{RECEIVER}/hooks/{account_k}"

    # POST, GET /api/keys and DELETE /api/keys/{key_id}
    K = "/api/keys"
    minted = call("keys: create", "POST", K, expect=201, auth=key_k, validate_request=True,
                  check=lambda resp: [] if resp.json()["key"].startswith(resp.json()["prefix"])
                  else ["the prefix is not the key's"]).json()
    new_key, new_id = minted.get("key", ""), minted.get("key_id", "")
    call("keys: list, with the new key", "GET", K, expect=200, auth=new_key,
         validate_request=True,
         check=lambda resp: ([] if {k["key_id"] for k in resp.json()["keys"]} >= {new_id}
                             else ["the new key is not listed"])
         + (["a key or its hash is shown"] if new_key in resp.text else []))
    call("keys: another account does not see them", "GET", K, expect=200, auth=key_b,
         check=lambda resp: ["acme's key listed"] if new_id in resp.text else [])
    auth_failures("POST", K, "keys create")
    auth_failures("GET", K, "keys list")
    call("keys: revoke another account's key", "DELETE", f"{K}/{new_id}", expect=404,
         auth=key_b, expect_error="not_found",
         check=expect_fields(detail=f"API key {new_id} not found"))
    call("keys: revoke a malformed id", "DELETE", f"{K}/pfk_abc", expect=400, auth=key_k,
         expect_error="invalid_request")
    call("keys: revoke an unknown id", "DELETE", f"{K}/key_{'0' * 24}", expect=404,
         auth=key_k, expect_error="not_found")
    auth_failures("DELETE", f"{K}/{new_id}", "keys revoke")
    revoked = call("keys: the new key revokes itself", "DELETE", f"{K}/{new_id}", expect=200,
                   auth=new_key, validate_request=True,
                   check=expect_fields(key_id=new_id)).json()
    # Refused at once by a function that never saw the key; another instance of the keys
    # function may remember it for API_KEY_CACHE_SECONDS (the documented revocation time).
    call("keys: the revoked key is refused", "GET", "/api/webhook-endpoint", expect=401,
         auth=new_key, expect_error="authentication_error")
    call("keys: revoke again, the same receipt", "DELETE", f"{K}/{new_id}", expect=200,
         auth=key_k, check=lambda resp: [] if resp.json() == revoked else ["another receipt"])
    for _ in range(25):  # the account's keys up to the limit (20)
        if HTTP.post(API + K, headers=bearer(key_k), timeout=30).status_code != 201:
            break
    call("keys: over the limit", "POST", K, expect=409, auth=key_k,
         expect_error="limit_exceeded", check=expect_fields(limit="api_keys"))

    # POST /api/webhooks/test (before the account has an endpoint)
    W = "/api/webhooks/test"
    call("test event: no url and no endpoint", "POST", W, expect=400, auth=key_k,
         json_body={}, expect_error="invalid_request")
    ping = call("test event: to the receiver", "POST", W, expect=200, auth=key_k,
                json_body={"url": hook_k}, validate_request=True,
                check=expect_fields(status_code=200, error=None)).json()
    call("test event: the endpoint answers 500", "POST", W, expect=200, auth=key_k,
         json_body={"url": f"{hook_k}?status=500"},
         check=lambda resp: [] if resp.json()["status_code"] == 500 and resp.json()["error"]
         else ["not reported"])
    for label, url in (("metadata address", "https://169.254.169.254/latest/meta-data"),
                       ("private address", "https://10.0.0.7/hook"),
                       ("not a URL", "hooks"), ("ftp", "ftp://example.com/x")):
        call(f"test event: {label}", "POST", W, expect=400, auth=key_k, json_body={"url": url},
             expect_error="invalid_request",
             check=lambda resp: [] if resp.json()["detail"].startswith("Field 'url'")
             else ["detail does not name url"])
    call("test event: text/plain body", "POST", W, expect=415, auth=key_k,
         data=json.dumps({"url": hook_k}), headers={"Content-Type": "text/plain"},
         expect_error="unsupported_media_type")
    call("test event: body over 8 KiB", "POST", W, expect=413, auth=key_k,
         json_body={"url": hook_k + "?x=" + "a" * 9000}, expect_error="payload_too_large")
    auth_failures("POST", W, "test event")
    got = [e for e in HTTP.get(f"{RECEIVER}/events", params={"webhook_id": ping.get("webhook_id")},
                               timeout=10).json()]
    problems = [] if len(got) == 1 else [f"{len(got)} received"]
    for e in got:
        problems += schema_errors("WebhookPing", e["event"])
        if not e.get("verified"):
            problems.append("Standard Webhooks signature did not verify")
    note(not problems, f"test event {ping.get('webhook_id')} received and verified", problems)

    # POST /api/webhook-secret/rotate: during the overlap a test event carries two
    # signatures, one per secret; with no overlap, one.
    R = "/api/webhook-secret/rotate"
    call("rotate: overlap_hours out of range", "POST", R, expect=400, auth=key_k,
         json_body={"overlap_hours": 169}, expect_error="invalid_request",
         check=expect_fields(detail="Field 'overlap_hours' must be a whole number of hours from 0 to 168"))
    call("rotate: unknown field", "POST", R, expect=400, auth=key_k,
         json_body={"overlap": 1}, expect_error="invalid_request")
    call("rotate: text/plain body", "POST", R, expect=415, auth=key_k, data="{}",
         headers={"Content-Type": "text/plain"}, expect_error="unsupported_media_type")
    call("rotate: body over 1 KiB", "POST", R, expect=413, auth=key_k,
         json_body={"overlap_hours": 1, "x": "a" * 2000}, expect_error="payload_too_large")
    auth_failures("POST", R, "rotate")
    for label, body, signatures in (("rotate: default overlap", {}, 2),
                                    ("rotate: no overlap", {"overlap_hours": 0}, 1)):
        call(label, "POST", R, expect=200, auth=key_k, json_body=body, validate_request=True,
             check=lambda resp: [] if resp.json()["secret"].startswith("whsec_") else ["no secret"])
        sent = call(f"test event after {label}", "POST", W, expect=200, auth=key_k,
                    json_body={"url": hook_k}, check=expect_fields(status_code=200)).json()
        got = HTTP.get(f"{RECEIVER}/events", params={"webhook_id": sent.get("webhook_id")},
                       timeout=10).json()
        count = got[0]["webhook_signature"].count("v1,") if got else 0
        note(len(got) == 1 and got[0].get("verified") and count == signatures,
             f"{label}: the test event carries {signatures} signature(s) and verifies",
             [f"{len(got)} received, {count} signatures"])

    # PUT, GET, DELETE /api/webhook-endpoint
    H = "/api/webhook-endpoint"
    call("endpoint: none yet", "GET", H, expect=404, auth=key_k, expect_error="not_found")
    endpoint = call("endpoint: set", "PUT", H, expect=200, auth=key_k, validate_request=True,
                    json_body={"url": hook_k, "events": ["session_complete", "status_change"]},
                    check=expect_fields(url=hook_k)).json()
    call("endpoint: read", "GET", H, expect=200, auth=key_k, validate_request=True,
         check=lambda resp: [] if resp.json() == endpoint else ["not what was set"])
    call("endpoint: another account has none", "GET", H, expect=404, auth=key_b,
         expect_error="not_found")
    call("endpoint: default events", "PUT", H, expect=200, auth=key_k, json_body={"url": hook_k},
         check=expect_fields(events=["session_complete", "bot_join_failed"]))
    for label, payload in (
        ("private address", {"url": "https://192.168.1.10/hook"}),
        ("metadata address", {"url": "https://[fd00:ec2::254]/"}),
        ("missing url", {"events": ["session_complete"]}),
        ("url not a string", {"url": 7}),
        ("unknown event", {"url": hook_k, "events": ["meeting_over"]}),
        ("no events", {"url": hook_k, "events": []}),
        ("events not a list", {"url": hook_k, "events": "session_complete"}),
        ("unknown field", {"url": hook_k, "event": ["session_complete"]}),
    ):
        call(f"endpoint: {label}", "PUT", H, expect=400, auth=key_k, json_body=payload,
             expect_error="invalid_request")
    call("endpoint: body not JSON", "PUT", H, expect=400, auth=key_k, data="url=x",
         headers={"Content-Type": "application/json"}, expect_error="invalid_request")
    call("endpoint: text/plain body", "PUT", H, expect=415, auth=key_k,
         data=json.dumps({"url": hook_k}), headers={"Content-Type": "text/plain"},
         expect_error="unsupported_media_type")
    call("endpoint: body over 8 KiB", "PUT", H, expect=413, auth=key_k,
         json_body={"url": hook_k + "?x=" + "a" * 9000}, expect_error="payload_too_large")
    for method in ("PUT", "GET", "DELETE"):
        auth_failures(method, H, f"endpoint {method}")
    call("test event: to the account's endpoint", "POST", W, expect=200, auth=key_k,
         data="", check=expect_fields(url=hook_k, status_code=200))
    call("endpoint: remove", "DELETE", H, expect=204, auth=key_k, content_type="",
         validate_request=True)
    call("endpoint: remove again (idempotent)", "DELETE", H, expect=204, auth=key_k,
         content_type="")
    call("endpoint: removed", "GET", H, expect=404, auth=key_k, expect_error="not_found")
    for _ in range(15):  # the rest of this minute's test events (10)
        if HTTP.post(API + W, headers=bearer(key_k), json={"url": hook_k},
                     timeout=30).status_code != 200:
            break
    call("test event: over the minute's limit", "POST", W, expect=429, auth=key_k,
         json_body={"url": hook_k}, expect_error="limit_exceeded",
         check=lambda resp: ([] if resp.headers.get("retry-after") else ["no Retry-After"])
         + ([] if resp.json().get("limit") == "test_events_per_minute" else ["limit"]))

    # ---- leave nothing running
    for bot in (running_bot, replay_bot, nulls_bot, vnd_bot):
        HTTP.post(f"{API}{L(bot)}", headers=bearer(key_a), timeout=30)

    print(f"openapi: {RESULTS.passed} passed, {RESULTS.failed} failed", flush=True)
    return 1 if RESULTS.failed else 0


if __name__ == "__main__":
    sys.exit(main())
