#!/usr/bin/env python3
"""Quality and speed of the built-in insights engine against TextRank (PyPI `summa`).

For every QMSum meeting in a directory, both systems summarise the same transcript to the
same length N in words (the reference summary's length unless --words is given); each
summary is scored against the human reference with ROUGE-1/2/L F1 (PyPI `rouge-score`,
Porter stemming). Our engine runs in-process inside `xtask insights-batch`, which reports
the median time of five `analyze()` + `summarize()` runs; summa is timed here as the median
of three runs. Exits non-zero unless our average ROUGE-1 and ROUGE-L beat summa's and our
engine is at least 50 times faster overall.

Usage: scripts/insights_quality.py [DIR] [--words N] [--engine-cmd CMD] [--summa-cache FILE]
"""

import argparse
import importlib.util
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DIR = REPO / "xtask" / "data" / "qmsum" / "val"
MIN_SPEEDUP = 50.0
SUMMA_RUNS = 3


def run_engine(cmd, directory, words):
    argv = shlex.split(cmd) + [str(directory)]
    if words is not None:
        argv += ["--words", str(words)]
    out = subprocess.run(argv, cwd=REPO, check=True, capture_output=True, text=True).stdout
    return {row["file"]: row for row in map(json.loads, filter(str.strip, out.splitlines()))}


def meeting_text(path):
    """The transcript as the engine sees it: one `Speaker: content` line per turn, untouched."""
    meeting = json.loads(path.read_text())
    return "\n".join(f"{t['speaker']}: {t['content']}" for t in meeting["meeting_transcripts"])


def run_summa(text, words):
    from summa import summarizer

    times, summary = [], ""
    for _ in range(SUMMA_RUNS):
        start = time.perf_counter()
        summary = summarizer.summarize(text, words=words)
        times.append(time.perf_counter() - start)
    return summary, statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--words", type=int, help="summary length for every meeting (default: the reference's)")
    parser.add_argument("--engine-cmd", default="cargo run -q --release -p xtask -- insights-batch",
                        help="command printing the batch JSON lines; the directory is appended")
    parser.add_argument("--summa-cache", type=Path,
                        help="reuse summa summaries and timings from this JSON file, writing new ones to it")
    args = parser.parse_args()

    from rouge_score import rouge_scorer

    directory = args.dir.resolve()
    ours = run_engine(args.engine_cmd, directory, args.words)
    cache = json.loads(args.summa_cache.read_text()) if args.summa_cache and args.summa_cache.exists() else {}
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    metrics = ("rouge1", "rouge2", "rougeL")

    rows = []
    header = f"{'meeting':<18}{'N':>5}{'ours_w':>7}{'tr_w':>6}" + "".join(
        f"{'ours_' + m[5:]:>9}{'tr_' + m[5:]:>8}" for m in metrics) + f"{'ours_ms':>9}{'tr_ms':>9}"
    print(header)
    for name in sorted(ours):
        row = ours[name]
        reference = row["reference"]
        n = args.words or len(reference.split())
        key = f"{name}:{n}"
        if key not in cache:
            summary, seconds = run_summa(meeting_text(directory / name), n)
            cache[key] = {"summary": summary, "seconds": seconds}
        theirs = cache[key]
        s_ours = scorer.score(reference, row["summary"])
        s_theirs = scorer.score(reference, theirs["summary"])
        result = {
            "name": name, "n": n,
            "ours_words": len(row["summary"].split()), "tr_words": len(theirs["summary"].split()),
            "ours_ms": row["micros"] / 1000.0, "tr_ms": theirs["seconds"] * 1000.0,
            **{f"ours_{m}": s_ours[m].fmeasure for m in metrics},
            **{f"tr_{m}": s_theirs[m].fmeasure for m in metrics},
        }
        rows.append(result)
        print(f"{name[:17]:<18}{n:>5}{result['ours_words']:>7}{result['tr_words']:>6}" + "".join(
            f"{result['ours_' + m]:>9.3f}{result['tr_' + m]:>8.3f}" for m in metrics)
            + f"{result['ours_ms']:>9.2f}{result['tr_ms']:>9.0f}")
    if args.summa_cache:
        args.summa_cache.write_text(json.dumps(cache))
    if not rows:
        sys.exit(f"no QMSum meetings in {directory}")

    def avg(key):
        return statistics.mean(r[key] for r in rows)

    print(f"\n{len(rows)} meetings, average F1 (ours vs TextRank/summa at the same N words):")
    for m in metrics:
        print(f"  {m:<7} ours {avg('ours_' + m):.4f}   summa {avg('tr_' + m):.4f}   "
              f"diff {avg('ours_' + m) - avg('tr_' + m):+.4f}")
    speedup = avg("tr_ms") / avg("ours_ms")
    slowest = min(r["tr_ms"] / r["ours_ms"] for r in rows)
    print(f"  time    ours {avg('ours_ms'):.2f} ms   summa {avg('tr_ms'):.0f} ms per meeting   "
          f"speed-up {speedup:.0f}x (lowest single meeting {slowest:.0f}x)")

    goal = (avg("ours_rouge1") > avg("tr_rouge1") and avg("ours_rougeL") > avg("tr_rougeL")
            and speedup >= MIN_SPEEDUP)
    print("goal met" if goal else "goal NOT met")
    sys.exit(0 if goal else 1)


if __name__ == "__main__":
    main()
