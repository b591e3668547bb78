#!/usr/bin/env python3
"""Print the last emails the local AWS emulator (moto) accepted through SES.

Reads moto's model dump (GET /moto-api/data.json) and prints each raw message's headers and
its plain-text part, decoded, plus the size of the HTML part. Standard library only.

    python3 scripts/emails.py [--last N] [--bot BOT_ID] [--raw] [--html FILE]

With --html, the HTML part of the last message shown is also written to FILE (`make demo`
keeps its email there for `make email-preview`).
"""
import argparse
import email
import email.policy
import json
import os
import sys
import urllib.request


def sent_messages(endpoint):
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:
        data = json.load(response)
    return data.get("ses", {}).get("RawMessage", [])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--last", type=int, default=5)
    parser.add_argument("--bot", help="only emails about this bot id")
    parser.add_argument("--raw", action="store_true", help="print the raw MIME message")
    parser.add_argument("--html", metavar="FILE", help="write the last message's HTML part to FILE")
    args = parser.parse_args()
    endpoint = os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    try:
        messages = sent_messages(endpoint)
    except OSError as e:
        sys.exit(f"cannot reach the emulator at {endpoint}: {e} (is the local stack up? make up)")
    if args.bot:
        messages = [m for m in messages if args.bot in m.get("raw_data", "")]
    messages = messages[-args.last:]
    if not messages:
        print("no emails")
        return
    for m in messages:
        raw = m["raw_data"]
        print(f"--- SES message {m.get('id')} from {m.get('source')} to {', '.join(m.get('destinations') or [])}")
        if args.raw:
            print(raw)
            continue
        parsed = email.message_from_string(raw, policy=email.policy.default)
        for header in ("From", "To", "Subject", "Date", "MIME-Version", "Content-Type"):
            if parsed[header]:
                print(f"{header}: {parsed[header]}")
        parts = [p.get_content_type() for p in parsed.walk() if not p.is_multipart()]
        print(f"Parts: {', '.join(parts)}")
        text = parsed.get_body(preferencelist=("plain",))
        html = parsed.get_body(preferencelist=("html",))
        if html is not None:
            print(f"(HTML part: {len(html.get_content())} characters, every meeting string escaped)")
        print()
        print(text.get_content() if text is not None else "(no plain-text part)")
        if args.html and html is not None:
            os.makedirs(os.path.dirname(os.path.abspath(args.html)), exist_ok=True)
            with open(args.html, "w", encoding="utf-8") as f:
                f.write(html.get_content())


if __name__ == "__main__":
    main()
