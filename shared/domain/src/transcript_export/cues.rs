//! What the cue-based formats share: the cues (non-empty segments, each with a positive
//! duration, in start order), their clock times, and text flattened to one line.

use crate::transcript::breaks_line;
use crate::{Segment, Transcript};
use std::fmt::Write;

/// The duration given to a segment that ends when (or before) it starts: a cue must end
/// after it starts, and a second is long enough to be read.
pub const MIN_CUE_MS: u64 = 1_000;

/// One segment as a cue.
pub struct Cue<'a> {
    pub start_ms: u64,
    pub end_ms: u64,
    pub speaker: &'a str,
    pub text: &'a str,
}

/// The segments with words, in start order (WebVTT requires it; a stable sort keeps the
/// stored order of equal starts and is linear on the already ordered input a bot sends).
pub fn cues(transcript: &Transcript) -> Vec<Cue<'_>> {
    let mut cues: Vec<Cue<'_>> = transcript
        .segments()
        .iter()
        .filter(|s| !s.text.trim().is_empty())
        .map(cue)
        .collect();
    cues.sort_by_key(|c| c.start_ms);
    cues
}

fn cue(s: &Segment) -> Cue<'_> {
    Cue {
        start_ms: s.start_ms,
        end_ms: if s.end_ms > s.start_ms {
            s.end_ms
        } else {
            s.start_ms.saturating_add(MIN_CUE_MS)
        },
        speaker: speaker(&s.speaker),
        text: s.text.trim(),
    }
}

/// The speaker's name trimmed; a name with nothing to show is written as `Unknown`.
pub fn speaker(name: &str) -> &str {
    match name.trim() {
        "" => "Unknown",
        name => name,
    }
}

/// Appends `HH:MM:SS<sep>mmm` (hours grow past two digits if they must).
pub fn push_clock(out: &mut String, ms: u64, sep: char) {
    let (h, m, s, milli) = (
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1_000 % 60,
        ms % 1_000,
    );
    let _ = write!(out, "{h:02}:{m:02}:{s:02}{sep}{milli:03}");
}

/// Appends `text` on one line: line breaks and other control characters become spaces,
/// every other character goes through `escape` (which appends it, escaped as it must be).
pub fn push_flat(out: &mut String, text: &str, escape: fn(&mut String, char)) {
    for c in text.chars() {
        if breaks_line(c) || c.is_control() {
            out.push(' ');
        } else {
            escape(out, c);
        }
    }
}

/// No escaping.
pub fn verbatim(out: &mut String, c: char) {
    out.push(c);
}
