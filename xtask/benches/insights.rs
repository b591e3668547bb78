//! Speed of the built-in insights engine: on real QMSum meetings, and on one hour (10k
//! words) and four hours (40k words) of meeting built by joining QMSum meetings, so the
//! `length` group shows how the cost grows with the meeting. The data set is the one in the
//! repository, `xtask/data/qmsum/val`, or `$QMSUM_DIR`; without it the bench fails.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use domain::transcript::{Segment, Transcript};
use insights::BuiltinEngine;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use xtask::transcript_files as formats;

/// Short, medium and long meetings of different kinds (AMI design, ICSI research, committee).
const MEETINGS: &[&str] = &[
    "TS3010a.json",
    "ES2006b.json",
    "Bed015.json",
    "covid_2.json",
];
const LENGTHS: &[(&str, usize)] = &[("1h_10k_words", 10_000), ("4h_40k_words", 40_000)];

fn data_dir() -> PathBuf {
    std::env::var_os("QMSUM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // At run time (cargo sets it for benches): the binary may come from another
            // clone sharing the target directory.
            let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
            PathBuf::from(manifest).join("data/qmsum/val")
        })
}

/// A meeting of the data set; a missing or unreadable file stops the bench.
fn load(path: &Path) -> Transcript {
    let json = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "QMSum meeting {}: {e} (the data set is xtask/data/qmsum/val; QMSUM_DIR overrides it)",
            path.display()
        )
    });
    formats::load_transcript(&json)
        .unwrap_or_else(|e| panic!("QMSum meeting {}: {e}", path.display()))
}

/// All meetings of the data set one after the other, cut at `words` words.
fn joined(words: usize) -> Transcript {
    let dir = data_dir();
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "QMSum data set {}: {e} (QMSUM_DIR overrides the directory)",
                dir.display()
            )
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut segments: Vec<Segment> = Vec::new();
    let mut count = 0;
    let mut offset = 0;
    for path in names {
        for mut seg in load(&path).0 {
            if count >= words {
                return Transcript(segments);
            }
            count += seg.text.split_whitespace().count();
            seg.start_ms += offset;
            seg.end_ms += offset;
            segments.push(seg);
        }
        offset = segments.last().map_or(0, |s| s.end_ms);
    }
    assert!(
        count >= words,
        "the QMSum data set {} holds {count} words, fewer than {words}",
        dir.display()
    );
    Transcript(segments)
}

fn qmsum_meetings(c: &mut Criterion) {
    let engine = BuiltinEngine::new();
    let mut group = c.benchmark_group("insights/qmsum");
    for name in MEETINGS {
        let t = load(&data_dir().join(name));
        group.throughput(Throughput::Elements(t.word_count() as u64));
        group.bench_with_input(BenchmarkId::new("analyze", name), &t, |b, t| {
            b.iter(|| engine.analyze(black_box(t)))
        });
    }
    group.finish();
}

fn meeting_length(c: &mut Criterion) {
    let engine = BuiltinEngine::new();
    let mut group = c.benchmark_group("insights/length");
    for &(label, words) in LENGTHS {
        let t = joined(words);
        group.throughput(Throughput::Elements(t.word_count() as u64));
        group.bench_with_input(BenchmarkId::new("analyze", label), &t, |b, t| {
            b.iter(|| engine.analyze(black_box(t)))
        });
        group.bench_with_input(
            BenchmarkId::new("summarize_150_words", label),
            &t,
            |b, t| b.iter(|| engine.summarize(black_box(t), 150)),
        );
    }
    group.finish();
}

criterion_group!(benches, qmsum_meetings, meeting_length);
criterion_main!(benches);
