//! The work budget of one analysis, and the reading of the transcript it governs.
//!
//! A customer's bot may report 5 MiB of anything, and consecutive segments of one speaker
//! form one turn however many there are. The analysis must still finish quickly, and give
//! the same result on every run and machine, so work is counted, not timed:
//!
//! - Reading the transcript costs one unit per byte of text and of speaker name, and
//!   `SEGMENT_UNITS` per segment. Reading stops when `WORK_BUDGET` is spent, inside a
//!   segment at a whitespace where there is one; the insights then cover what was read
//!   (`Cut`), and say so.
//! - A turn is read in pieces of at most `MAX_PIECE_BYTES`, each ended at the last
//!   whitespace before the limit; the document joins the pieces back into one turn.
//! - Every step after reading is linear in what was read: cleaning looks at bounded windows
//!   of tokens, words and sentences have capped lengths, and the products look at bounded
//!   windows around each sentence. So the budget bounds the whole analysis.

use domain::transcript::{Segment, Transcript};

/// A four-hour meeting (40,000 words of QMSum, 1,837 segments) costs 0.26 million units:
/// the budget is some fifteen of them, which no real meeting comes close to, and a budget's
/// worth of the costliest hostile text is analysed in a fraction of a second.
pub(crate) const WORK_BUDGET: usize = 4_000_000;

/// The fixed cost of a segment beside its bytes: turn bookkeeping, speaker look-ups and
/// statistics.
const SEGMENT_UNITS: usize = 32;

/// The longest piece of turn text cleaned at once: about 5,000 words, over half an hour of
/// monologue.
const MAX_PIECE_BYTES: usize = 32 * 1024;

/// What the customer is told when the budget ran out.
pub(crate) fn too_long_message(words: u64) -> String {
    format!(
        "transcript_too_long: The transcript is too long to analyse in full; insights cover the first {words} words."
    )
}

/// Where reading stopped because the budget ran out: the segments before `segment`, and the
/// first `bytes` of the text of `segment`, were read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cut {
    pub segment: usize,
    pub bytes: usize,
}

impl Cut {
    /// The part of `transcript` that was read.
    pub fn apply(self, transcript: &Transcript) -> Transcript {
        let segments = transcript.segments();
        let mut read = segments[..self.segment].to_vec();
        if self.bytes > 0 {
            let s = &segments[self.segment];
            read.push(Segment {
                speaker: s.speaker.clone(),
                text: s.text[..self.bytes].to_owned(),
                start_ms: s.start_ms,
                end_ms: s.end_ms,
            });
        }
        Transcript(read)
    }
}

/// Consecutive segments of one speaker as turn text, piece by piece, as far as the budget
/// goes.
pub(crate) struct TurnReader<'a> {
    segments: &'a [Segment],
    left: usize,
    /// The next segment to read, and how many bytes of its text have been read.
    next: usize,
    offset: usize,
    spent: bool,
}

impl<'a> TurnReader<'a> {
    pub fn new(segments: &'a [Segment], work_units: usize) -> Self {
        TurnReader {
            segments,
            left: work_units,
            next: 0,
            offset: 0,
            spent: false,
        }
    }

    /// Writes the next piece of turn text to `out`, segments joined by spaces as people
    /// read them, and returns its speaker; `None` once the transcript or the budget is done.
    pub fn next_piece(&mut self, out: &mut String) -> Option<&'a str> {
        out.clear();
        if self.spent {
            return None;
        }
        let speaker = self.segments.get(self.next)?.speaker.as_str();
        while let Some(segment) = self.segments.get(self.next) {
            if segment.speaker != speaker {
                break;
            }
            if self.offset == 0 {
                let cost = SEGMENT_UNITS + segment.speaker.len();
                if cost > self.left {
                    self.spent = true;
                    break;
                }
                self.left -= cost;
            }
            let rest = &segment.text[self.offset..];
            let room = MAX_PIECE_BYTES.saturating_sub(out.len() + 1);
            let max = room.min(self.left);
            if rest.len() <= max {
                out.push_str(rest);
                out.push(' ');
                self.left -= rest.len();
                (self.next, self.offset) = (self.next + 1, 0);
                continue;
            }
            let part = cut_at_whitespace(rest, max);
            out.push_str(part);
            out.push(' ');
            self.left -= part.len();
            self.offset += part.len();
            self.spent = max < room;
            break;
        }
        (!out.is_empty()).then_some(speaker)
    }

    /// Where reading stopped, if the budget ran out before the end of the transcript.
    pub fn cut(&self) -> Option<Cut> {
        self.spent.then_some(Cut {
            segment: self.next,
            bytes: self.offset,
        })
    }
}

/// The longest start of `text` of at most `max` bytes that ends at a whitespace, or at a
/// character boundary when there is no whitespace to end at.
fn cut_at_whitespace(text: &str, max: usize) -> &str {
    let head = crate::text::prefix(text, max);
    if text[head.len()..].starts_with(char::is_whitespace) {
        return head;
    }
    match head.rfind(char::is_whitespace) {
        Some(i) if i > 0 => &head[..i],
        _ => head,
    }
}

#[cfg(test)]
mod tests;
