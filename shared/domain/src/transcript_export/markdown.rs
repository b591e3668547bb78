//! Markdown: a heading, then one `**Speaker** (mm:ss): words` paragraph per speaker turn
//! (consecutive segments of one speaker joined, as in the text form).

use super::cues::{push_flat, speaker};
use crate::Transcript;
use std::fmt::Write;

pub fn markdown(transcript: &Transcript) -> String {
    let mut out = String::with_capacity(
        16 + transcript
            .segments()
            .iter()
            .map(|s| s.text.len() + s.speaker.len() + 16)
            .sum::<usize>(),
    );
    out.push_str("# Transcript\n");
    let mut last_speaker: Option<&str> = None;
    for seg in transcript.segments() {
        let text = seg.text.trim();
        if text.is_empty() {
            continue;
        }
        if last_speaker == Some(seg.speaker.as_str()) {
            out.push(' ');
        } else {
            out.push_str(if last_speaker.is_some() { "\n\n" } else { "\n" });
            out.push_str("**");
            push_flat(&mut out, speaker(&seg.speaker), escape);
            out.push_str("** (");
            push_offset(&mut out, seg.start_ms);
            out.push_str("): ");
            last_speaker = Some(&seg.speaker);
        }
        push_flat(&mut out, text, escape);
    }
    if last_speaker.is_some() {
        out.push('\n');
    }
    out
}

/// `mm:ss` from the start of the meeting; `h:mm:ss` from the first hour on.
fn push_offset(out: &mut String, ms: u64) {
    let seconds = ms / 1_000;
    let (h, m, s) = (seconds / 3_600, seconds / 60 % 60, seconds % 60);
    let _ = if h > 0 {
        write!(out, "{h}:{m:02}:{s:02}")
    } else {
        write!(out, "{m:02}:{s:02}")
    };
}

/// Backslash before every character Markdown (CommonMark and GitHub's tables and
/// strikethrough) could read as markup within a line: emphasis, code, links, images, raw
/// HTML, entities. A paragraph starts with our `**`, so no block syntax can begin in it.
fn escape(out: &mut String, c: char) {
    if matches!(
        c,
        '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '!' | '|' | '~' | '#'
    ) {
        out.push('\\');
    }
    out.push(c);
}
