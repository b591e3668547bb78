//! SubRip and WebVTT: one cue per segment with words.

use super::cues::{cues, push_clock, push_flat, verbatim};
use crate::Transcript;
use std::fmt::Write;

/// Room for the timing line, the index and the voice tag of one cue.
const CUE_OVERHEAD: usize = 48;

fn capacity(transcript: &Transcript) -> usize {
    transcript
        .segments()
        .iter()
        .map(|s| s.text.len() + s.speaker.len() + CUE_OVERHEAD)
        .sum()
}

/// ```text
/// 1
/// 00:00:01,200 --> 00:00:03,400
/// Ada: Shall we start?
/// ```
/// SubRip has no escaping: the text is kept as it is, on one line, so only the blank line
/// after it ends the cue.
pub fn srt(transcript: &Transcript) -> String {
    let mut out = String::with_capacity(capacity(transcript));
    for (n, cue) in (1u64..).zip(cues(transcript)) {
        let _ = writeln!(out, "{n}");
        push_clock(&mut out, cue.start_ms, ',');
        out.push_str(" --> ");
        push_clock(&mut out, cue.end_ms, ',');
        out.push('\n');
        push_flat(&mut out, cue.speaker, verbatim);
        out.push_str(": ");
        push_flat(&mut out, cue.text, verbatim);
        out.push_str("\n\n");
    }
    out
}

/// ```text
/// WEBVTT
///
/// 00:00:01.200 --> 00:00:03.400
/// <v Ada>Shall we start?
/// ```
/// `&`, `<` and `>` are written as character references in the text and in the voice
/// tag's name, so a segment can neither open a tag nor contain `-->` (which would end the
/// cue text); a line break is a space, so it cannot leave a blank line.
pub fn vtt(transcript: &Transcript) -> String {
    let mut out = String::with_capacity(capacity(transcript) + 8);
    out.push_str("WEBVTT\n\n");
    for cue in cues(transcript) {
        push_clock(&mut out, cue.start_ms, '.');
        out.push_str(" --> ");
        push_clock(&mut out, cue.end_ms, '.');
        out.push_str("\n<v ");
        push_flat(&mut out, cue.speaker, vtt_escape);
        out.push('>');
        push_flat(&mut out, cue.text, vtt_escape);
        out.push_str("\n\n");
    }
    out
}

fn vtt_escape(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}
