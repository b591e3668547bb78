"""The web console in a real browser (headless Chromium from Debian, driven by Playwright's
Python package through its executable path) against the local stack at :9000.

One meeting end to end, as a user does it: a wrong key is refused with its error; sign in;
join a bot; stop it; watch the timeline reach `completed`; read and search the transcript;
see the talk-time chart (one bar per speaker of the insights) and the who-spoke-when chart
(one block per segment); export a file (sent with the key, saved from a Blob); redeliver the
webhook and see the new delivery's attempt; find the bot in the filtered list; create a key
(shown once) and revoke it (the API then refuses it); set the webhook endpoint and rotate the
secret. Network errors and a 429 with Retry-After are shown as such (the browser's requests
are intercepted for those two). Every page is checked for CSP violations and script errors.

`--shots DIR` also writes screenshots of the main pages at 1280 and 390 px (make
console-shots). Run by scripts/console_test.sh, which installs Chromium when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

API = os.environ.get("CONSOLE_API", "http://127.0.0.1:9000")
RECEIVER = "http://127.0.0.1:9200"
ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (1280, 390)
expect.set_options(timeout=15_000)


def step(text: str) -> None:
    print(f"  - {text}", flush=True)


def xtask(*args: str) -> str:
    """The last line xtask prints (a key, a secret), never echoed."""
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_REGION": "us-east-1",
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
           "TABLE_NAME": "pailflow-local", **os.environ}
    out = subprocess.run([f"{target}/debug/xtask", *args], check=True, capture_output=True,
                         text=True, env=env, cwd=ROOT).stdout
    return out.strip().splitlines()[-1].strip()


def new_key(account: str) -> str:
    """A key of a new account of this run: the account's key limit and webhook secret are
    this run's alone (the secret is made first, so the receiver can verify its webhooks)."""
    xtask("webhook-secret", account)
    return xtask("api-key", account)


def api(method: str, path: str, key: str, body: dict | None = None) -> tuple[int, dict | None]:
    headers = {"Authorization": f"Bearer {key}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(f"{API}{path}", method=method, headers=headers,
                                 data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            body = resp.read()
            return resp.status, json.loads(body) if body else None
    except urllib.error.HTTPError as e:
        body = e.read()
        return e.code, json.loads(body) if body.startswith(b"{") else None


class Watch:
    """Script errors and CSP violations of a page (Chromium logs violations as errors)."""

    def __init__(self, page: Page) -> None:
        self.problems: list[str] = []
        page.on("pageerror", lambda e: self.problems.append(f"script error: {e}"))
        page.on("console", self.console)

    def console(self, msg) -> None:
        text = msg.text
        if msg.type == "error" and ("Content Security Policy" in text or "Refused to" in text):
            self.problems.append(f"CSP: {text}")

    def check(self) -> None:
        assert not self.problems, "\n".join(self.problems)


def sign_in(page: Page, key: str) -> None:
    page.goto(f"{API}/console")
    page.fill("#api-key", key)
    page.click("#sign-in button[type=submit]")


def shoot(page: Page, shots: Path | None, name: str) -> None:
    if not shots:
        return
    for width in WIDTHS:
        # Drawn afresh at each width, as a phone would (the charts are laid out for it).
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_load_state("networkidle")
        path = shots / f"console-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"    {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    page.wait_for_load_state("networkidle")


def headers_are_strict() -> None:
    with urllib.request.urlopen(f"{API}/console", timeout=30) as resp:
        csp = resp.headers["Content-Security-Policy"]
        assert resp.headers["Content-Type"].startswith("text/html"), resp.headers["Content-Type"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
    try:
        urllib.request.urlopen(f"{API}/console/nothing.js", timeout=30)
        raise AssertionError("an unknown console file answered 2xx")
    except urllib.error.HTTPError as e:
        assert e.code == 404, e.code


def run(page: Page, account: str, key: str, shots: Path | None) -> None:
    watch = Watch(page)
    tag = account.rsplit("-", 1)[-1]

    step("strict headers on the page, 404 for an unknown file")
    headers_are_strict()

    step("a wrong key is refused with its error")
    page.goto(f"{API}/console")
    shoot(page, shots, "sign-in")
    sign_in(page, "pfk_not_a_real_key_0000000000")
    expect(page.locator("#sign-in .alert")).to_contain_text("refused (401)")
    assert page.evaluate("sessionStorage.length") == 0, "a refused key was stored"

    step("sign in; the key is kept in session storage only")
    sign_in(page, key)
    expect(page.locator("#nav")).to_be_visible()
    expect(page.get_by_role("heading", name="Bots")).to_be_visible()
    assert page.evaluate("localStorage.length") == 0
    assert page.evaluate("document.cookie") == ""

    step("keyboard: the skip link comes first and the focus ring is visible")
    page.reload()
    expect(page.get_by_role("heading", name="Bots")).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle]")
    assert focused[0] == "skip" and focused[1] != "none", focused

    step("an earlier bot of the account, joined through the API (the list then has two pages)")
    status, earlier = api("POST", "/api/bot/join", key, {
        "room_url": f"https://acme.daily.co/earlier-{tag}",
        "bot_config": {"bot_prompt": "Take notes"}, "metadata": {"run": tag}})
    assert status == 200, status

    step("join a bot from the form")
    page.click("#nav >> text=Join a bot")
    page.fill("#j-room", f"https://acme.daily.co/console-{tag}")
    page.fill("#j-webhook", f"{RECEIVER}/hooks/{account}")
    page.check("#j-changes")
    page.fill("#j-metadata", f"suite=console\nrun={tag}")
    page.click("#join-form button[type=submit]")
    page.wait_for_url(re.compile(r".*#/bot/[0-9a-f-]{36}$"))
    bot_id = page.url.rsplit("/", 1)[-1]
    expect(page.locator("#timeline li").first).to_be_visible()

    step("stop it and watch the timeline reach completed")
    page.click("#stop-bot")
    expect(page.locator("#bot-title")).to_contain_text("completed", timeout=90_000)
    expect(page.locator("#timeline li[data-code=completed]")).to_have_count(1)
    for code in ("joining", "leave_requested", "bot_exited", "processing"):
        expect(page.locator(f"#timeline li[data-code={code}]")).to_have_count(1)

    step("the transcript: every segment, searchable, speakers coloured")
    status, segments = api("GET", f"/api/bot/{bot_id}/transcript?format=json", key)
    assert status == 200 and segments, status
    lines = page.locator("#transcript-lines li")
    expect(lines).to_have_count(len(segments))
    expect(lines.first.locator(".speaker")).to_have_class(re.compile(r"spk-\d"))
    word = segments[0]["text"].split()[0]
    matching = sum(word.lower() in f"{s['speaker']} {s['text']}".lower() for s in segments)
    page.fill("#transcript-search", word)
    expect(lines).to_have_count(matching)
    expect(page.locator("#transcript-count")).to_contain_text(f"{matching} of {len(segments)}")
    expect(lines.first.locator("mark").first).to_be_visible()
    page.fill("#transcript-search", "")

    step("the charts: one bar per speaker, one block per segment")
    status, bot = api("GET", f"/api/bot/{bot_id}/status", key)
    assert status == 200, f"status route: {status}"
    assert bot["insights"], f"no insights: {bot['insights_error']!r} {bot['status']} {bot['phase']}"
    speakers = [s["speaker"] for s in bot["insights"]["speakers"]]
    assert len(speakers) >= 2, speakers
    expect(page.locator("svg.talk-time rect.bar")).to_have_count(len(speakers))
    drawn = page.locator("svg.talk-time rect.bar").evaluate_all("els => els.map(e => e.dataset.speaker)")
    assert sorted(drawn) == sorted(speakers), (drawn, speakers)
    expect(page.locator("svg.who-spoke rect.turn")).to_have_count(len(segments))
    expect(page.locator("#summary")).to_have_text(bot["insights"]["summary"])
    expect(page.locator("#action-items li")).to_have_count(len(bot["insights"]["action_items"]))
    expect(page.locator("#decisions li")).to_have_count(len(bot["insights"]["decisions"]))
    expect(page.locator("dl.qa dt")).to_have_count(len(bot["qa_pairs"]))

    step("an export is fetched with the key and saved")
    with page.expect_download() as info:
        page.click("button[data-format=srt]")
    srt = Path(info.value.path()).read_text()
    assert srt.startswith("1\n00:00:"), srt[:40]
    assert info.value.suggested_filename == f"transcript-{bot_id}.srt"
    shoot(page, shots, "bot")
    if shots:
        # The README's picture: the page down to the charts (docs/console.png is a copy).
        charts = page.locator("section:has(#charts-title)").bounding_box()
        page.screenshot(path=str(shots / "console-bot-overview-1280.png"), full_page=True,
                        clip={"x": 0, "y": 0, "width": 1280, "height": charts["y"] + charts["height"] + 16})

    step("the delivery log: the webhook's attempts; redeliver and see the new attempt")
    webhook = page.locator("li[data-delivery-id=webhook]")
    for _ in range(30):
        page.click("#deliveries button:text('Refresh')")
        if webhook.locator(".badge-delivered").count():
            break
        page.wait_for_timeout(1000)
    expect(webhook.locator(".badge-delivered")).to_be_visible()
    expect(webhook.locator("table.attempts td.code").first).to_have_text("200")
    webhook.locator("button.redeliver").click()
    queued = page.locator("#delivery-messages .notice")
    expect(queued).to_contain_text("Redelivery of webhook queued as")
    new_id = re.search(r"queued as (\S+)\.", queued.inner_text()).group(1)
    new = page.locator(f"li[data-delivery-id='{new_id}']")
    expect(new).to_be_visible(timeout=30_000)
    expect(new.locator("table.attempts td.code").first).to_have_text("200", timeout=30_000)
    expect(new).to_contain_text("redelivers webhook")

    step("the list: filtered by metadata, one bot a page, the cursor to the next")
    page.goto(f"{API}/console#/bots?metadata.run={tag}&limit=1")
    row = page.locator(f"tr[data-bot-id='{bot_id}']")  # newest first
    expect(row).to_be_visible()
    expect(page.locator("table.bots tbody tr")).to_have_count(1)
    expect(row).to_contain_text("completed")
    expect(row).to_contain_text("force_leave")
    expect(row).to_contain_text(f"run={tag}")
    page.click("#next-page")
    expect(page.locator(f"tr[data-bot-id='{earlier['bot_id']}']")).to_be_visible()
    expect(page.locator("table.bots tbody tr")).to_have_count(1)
    expect(page.get_by_role("link", name="First page")).to_be_visible()
    page.goto(f"{API}/console#/bots?metadata.run={tag}")
    expect(page.locator("table.bots tbody tr")).to_have_count(2)
    assert api("POST", f"/v1/bots/leave/{earlier['bot_id']}", key)[0] == 200
    page.select_option("#f-status", "failed")
    page.click("#bot-filters button[type=submit]")
    expect(page.locator(".empty")).to_contain_text("No bots match")
    page.goto(f"{API}/console#/bots")
    shoot(page, shots, "bots")

    step("keys: a new key is shown once; revoking it makes the API refuse it")
    page.click("#nav >> text=API keys")
    page.click("#create-key")
    made = page.locator("#new-key").inner_text().strip()
    assert made.startswith("pfk_"), made
    # Checked on another function than the one asked to revoke (each caches keys it found).
    assert api("GET", "/api/bots?limit=1", made)[0] == 200
    status, listed = api("GET", "/api/keys", key)
    made_id = next(k["key_id"] for k in listed["keys"] if made.startswith(k["prefix"]))
    page.once("dialog", lambda d: d.accept())
    page.click(f"button[data-key-id='{made_id}']")
    expect(page.locator(".notice")).to_contain_text(f"Revoked {made_id}")
    expect(page.locator(f"tr[data-key-id='{made_id}']")).to_have_count(0)
    expect(page.locator("#new-key")).to_have_count(0)  # the receipt replaced it: no key in a picture
    assert api("GET", "/api/keys", made)[0] == 401, "a revoked key still works"
    shoot(page, shots, "keys")

    step("webhook endpoint: set, shown; the secret rotated and shown once")
    page.click("#nav >> text=Webhook")
    page.fill("#w-url", f"{RECEIVER}/hooks/{account}")
    page.click("#webhook-form button[type=submit]")
    expect(page.locator("#endpoint-url")).to_have_text(f"{RECEIVER}/hooks/{account}")
    shoot(page, shots, "webhook")
    page.once("dialog", lambda d: d.accept())
    page.click("#rotate-form button[type=submit]")
    expect(page.locator("#new-secret")).to_have_text(re.compile(r"^whsec_"))

    step("error states: a network error and a 429 with its retry time")
    bots = re.compile(r".*/api/bots\?.*")
    page.route(bots, lambda route: route.abort("connectionrefused"))
    page.goto(f"{API}/console#/bots?status=failed")
    expect(page.locator(".alert")).to_contain_text("Network error")
    page.unroute(bots)
    page.route(bots, lambda route: route.fulfill(
        status=429, headers={"Retry-After": "7", "Content-Type": "application/json"},
        body=json.dumps({"error": "limit_exceeded", "detail": "Slow down", "message": "Too many requests"})))
    page.goto(f"{API}/console#/bots?status=completed")
    expect(page.locator(".alert")).to_contain_text("Try again in 7 s")
    page.unroute(bots)

    step("sign out forgets the key")
    page.click("#sign-out")
    expect(page.locator("#api-key")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    watch.check()
    print(f"  bot {bot_id}: every console check passed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="write screenshots into this directory")
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        print("chromium is not installed (scripts/console_test.sh installs it)", file=sys.stderr)
        return 2
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    account = f"console-{uuid.uuid4().hex[:8]}"
    key = new_key(account)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        try:
            run(context.new_page(), account, key, args.shots)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
