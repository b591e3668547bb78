//! The built-in insights engine on hostile transcripts, at several sizes up to the 5 MiB a
//! bot may report: the time per byte must stay flat (linear work), and past the engine's
//! work budget (4,000,000 units: bytes of text and speaker names, and 32 per segment) the
//! time stops growing. Every shape is one that made earlier code quadratic, or that piles
//! work onto one turn or one table.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use domain::transcript::{Segment, Transcript};
use insights::BuiltinEngine;
use std::hint::black_box;
use std::time::Duration;

const MIB: usize = 1024 * 1024;
const SIZES: &[(&str, usize)] = &[
    ("0.5MiB", MIB / 2),
    ("1MiB", MIB),
    ("2MiB", 2 * MIB),
    ("3.5MiB", 7 * MIB / 2),
    ("5MiB", 5 * MIB),
];
/// The API's limit on one segment's text.
const SEGMENT_CHARS: usize = 20_000;

fn segment(speaker: String, text: String) -> Segment {
    Segment {
        speaker,
        text,
        start_ms: 0,
        end_ms: 0,
    }
}

/// `unit` said over and over by one speaker: `bytes` of text, in the largest segments.
fn one_speaker(unit: &str, bytes: usize) -> Transcript {
    let text = unit.repeat(SEGMENT_CHARS / unit.len());
    let segments = (0..bytes.div_ceil(text.len()))
        .map(|_| segment("Mallory".into(), text.clone()))
        .collect();
    Transcript(segments)
}

/// Unpunctuated speech from one speaker, words drawn from a vocabulary of a thousand.
fn unpunctuated(bytes: usize) -> Transcript {
    let mut words = String::new();
    let mut i = 0u64;
    while words.len() < SEGMENT_CHARS - 16 {
        i = i
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        words.push_str(&format!("term{} ", (i >> 33) % 1000));
    }
    one_speaker(&words, bytes)
}

/// A new speaker for every short segment: `bytes` of speaker names and text.
fn distinct_speakers(bytes: usize) -> Transcript {
    let mut segments = Vec::new();
    let mut total = 0;
    while total < bytes {
        let n = segments.len();
        let s = segment(format!("Speaker {n}"), format!("Point {n} is settled now."));
        total += s.speaker.len() + s.text.len();
        segments.push(s);
    }
    Transcript(segments)
}

type Shape = (&'static str, fn(usize) -> Transcript);

const SHAPES: &[Shape] = &[
    ("unclosed_braces", |b| one_speaker("{", b)),
    ("clitic_run", |b| {
        one_speaker("it 's 's 's 's 's 's 's 's ", b)
    }),
    ("glued_clitics", |b| one_speaker("'s", b)),
    ("filler_run", |b| one_speaker("um ", b)),
    ("restart_filler_run", |b| {
        one_speaker("{disfmarker} um. ", b)
    }),
    ("unpunctuated_turn", unpunctuated),
    ("distinct_speakers", distinct_speakers),
    ("repeated_segments", |b| {
        let line = "I think the the plan is fine.";
        Transcript(vec![
            segment("Mallory".into(), line.into());
            b / (line.len() + 7)
        ])
    }),
];

fn adversarial(c: &mut Criterion) {
    let engine = BuiltinEngine::new();
    for &(shape, build) in SHAPES {
        let mut group = c.benchmark_group(format!("insights_adversarial/{shape}"));
        group
            .sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2));
        for &(label, bytes) in SIZES {
            let t = build(bytes);
            group.throughput(Throughput::Bytes(bytes as u64));
            group.bench_with_input(BenchmarkId::new("analyze", label), &t, |b, t| {
                b.iter(|| engine.analyze(black_box(t)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, adversarial);
criterion_main!(benches);
