//! `insights` and `insights-batch`: the built-in insights engine on transcript files, for a
//! look at its output and for the quality benchmark (`scripts/insights_quality.py`).

use crate::transcript_files as formats;
use insights::BuiltinEngine;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Runs of each meeting in a batch; the median time is reported.
const TIMED_RUNS: usize = 5;

/// Prints `{"qa_pairs": [...], "insights": {...}, "insights_error": ...}` for one
/// transcript file (QMSum meeting, exit report or array of segments).
pub fn print_insights(path: &Path) -> Result<(), String> {
    let json = read(path)?;
    let transcript =
        formats::load_transcript(&json).map_err(|e| format!("{}: {e}", path.display()))?;
    let analysis = BuiltinEngine::new().analyze(&transcript);
    // Written field by field so the keys keep their order (a `json!` map would sort them).
    let qa_pairs = serde_json::to_string_pretty(&analysis.qa_pairs).map_err(|e| e.to_string())?;
    let insights = serde_json::to_string_pretty(&analysis.insights).map_err(|e| e.to_string())?;
    let error = serde_json::to_string(&analysis.insights_error).map_err(|e| e.to_string())?;
    let nest = |s: &str| s.replace('\n', "\n  ");
    println!(
        "{{\n  \"qa_pairs\": {},\n  \"insights\": {},\n  \"insights_error\": {error}\n}}",
        nest(&qa_pairs),
        nest(&insights)
    );
    Ok(())
}

/// For each QMSum meeting in `dir`, in name order, one JSON line:
/// `{"file", "reference", "summary", "summary_words", "micros"}`. The summary is as long as
/// the reference summary, or `words` when given; `micros` is the median over five runs of
/// `analyze()` followed by `summarize()`, measured in-process.
pub fn print_batch(dir: &Path, words: Option<usize>) -> Result<(), String> {
    let files = json_files(dir)?;
    let engine = BuiltinEngine::new();
    let mut stdout = std::io::stdout().lock();
    for path in files {
        let json = read(&path)?;
        // Only QMSum meetings carry a reference summary to compare with.
        let Some(reference) = formats::reference_summary(&json) else {
            continue;
        };
        let transcript =
            formats::load_transcript(&json).map_err(|e| format!("{}: {e}", path.display()))?;
        let n = words.unwrap_or_else(|| reference.split_whitespace().count());
        let mut times = Vec::with_capacity(TIMED_RUNS);
        let mut summary = String::new();
        for _ in 0..TIMED_RUNS {
            let start = Instant::now();
            std::hint::black_box(engine.analyze(&transcript));
            summary = engine.summarize(&transcript, n);
            times.push(start.elapsed().as_micros() as u64);
        }
        times.sort_unstable();
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let string = |s: &str| serde_json::to_string(s).map_err(|e| e.to_string());
        writeln!(
            stdout,
            "{{\"file\":{},\"reference\":{},\"summary\":{},\"summary_words\":{},\"micros\":{}}}",
            string(&file)?,
            string(&reference)?,
            string(&summary)?,
            summary.split_whitespace().count(),
            times[TIMED_RUNS / 2],
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// `make insights-scores`: the meeting score of every transcript in `dir` (name order), one
/// line each with its strengths and weaknesses, then the distribution: min, quartiles,
/// max and a histogram with one bar per point of the 0..10 range.
pub fn print_scores(dir: &Path) -> Result<(), String> {
    let engine = BuiltinEngine::new();
    let mut scores = Vec::new();
    for path in json_files(dir)? {
        let json = read(&path)?;
        let transcript =
            formats::load_transcript(&json).map_err(|e| format!("{}: {e}", path.display()))?;
        let insights = engine.analyze(&transcript).insights.unwrap_or_default();
        let score = insights.overall_score.unwrap_or_default();
        scores.push(score);
        let name = path.file_stem().unwrap_or_default().to_string_lossy();
        println!(
            "{name:<10} {score:>4.1}  {:>3.0} min  {} speakers",
            insights.duration_seconds / 60.0,
            insights.speakers.len()
        );
        for s in &insights.strengths {
            println!("             + {s}");
        }
        for w in &insights.weaknesses {
            println!("             - {w}");
        }
    }
    if scores.is_empty() {
        return Err(format!("no transcripts (*.json) in {}", dir.display()));
    }
    scores.sort_by(f64::total_cmp);
    let at = |q: f64| scores[((scores.len() - 1) as f64 * q).round() as usize];
    println!(
        "\n{} meetings: min {:.1}, lower quartile {:.1}, median {:.1}, upper quartile {:.1}, max {:.1}",
        scores.len(),
        at(0.0),
        at(0.25),
        at(0.5),
        at(0.75),
        at(1.0)
    );
    for low in 0..10 {
        let n = scores
            .iter()
            .filter(|&&s| s >= f64::from(low) && (s < f64::from(low + 1) || low == 9))
            .count();
        let close = if low == 9 { ']' } else { ')' };
        println!(
            "  [{low:>2}, {:>2}{close} {n:>3} {}",
            low + 1,
            "#".repeat(n)
        );
    }
    Ok(())
}

fn json_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}
