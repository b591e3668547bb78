#!/usr/bin/env python3
"""Parses an exported transcript with the reference parsers and prints its cues as JSON.

    python3 scripts/parse_subtitles.py srt|vtt <file>

SubRip with the PyPI `srt` package, WebVTT with `webvtt-py`, both strict (a malformed block
is an error, not skipped). Prints `[{"start_ms", "end_ms", "text", "voice"}, ...]`, with WebVTT's character references
(`&amp;`, `&lt;`, `&gt;`) decoded and `voice` the `<v …>` tag's name (null in SubRip); exits
non-zero if the file does not parse. The system tests (tests/tests/system/export.rs) run it
with the project's .venv (scripts/python-env.sh, scripts/requirements.lock).
"""

from __future__ import annotations

import html
import json
import sys
from datetime import timedelta


def clock_ms(stamp: str) -> int:
    """`HH:MM:SS.mmm` (hours may have more digits) in milliseconds."""
    hours, minutes, rest = stamp.split(":")
    seconds, millis = rest.split(".")
    return ((int(hours) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def srt_cues(path: str) -> list[dict]:
    import srt

    with open(path, encoding="utf-8") as f:
        subs = list(srt.parse(f.read(), ignore_errors=False))  # junk between cues raises
    one = timedelta(milliseconds=1)
    return [
        {"start_ms": s.start // one, "end_ms": s.end // one, "text": s.content, "voice": None}
        for s in subs
    ]


def vtt_cues(path: str) -> list[dict]:
    import webvtt

    return [
        {
            "start_ms": clock_ms(c.start),
            "end_ms": clock_ms(c.end),
            "text": html.unescape(c.text),
            "voice": None if c.voice is None else html.unescape(c.voice),
        }
        for c in webvtt.read(path, strict=True)
    ]


def main() -> int:
    if len(sys.argv) != 3 or sys.argv[1] not in ("srt", "vtt"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, path = sys.argv[1], sys.argv[2]
    cues = srt_cues(path) if kind == "srt" else vtt_cues(path)
    json.dump(cues, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
