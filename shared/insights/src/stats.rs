//! Who spoke how much, and how long the meeting was: from the segment times when the
//! transcript has them, otherwise estimated from words at 150 words a minute.

use super::hash::FastMap;
use super::text;
use domain::insights::SpeakerStats;
use domain::transcript::Transcript;

const SECONDS_PER_WORD: f64 = crate::MS_PER_WORD as f64 / 1000.0;

pub(crate) struct Stats {
    pub speakers: Vec<SpeakerStats>,
    pub duration_seconds: f64,
    pub word_count: u64,
}

pub(crate) fn stats(transcript: &Transcript) -> Stats {
    let segments = transcript.segments();
    let timed = segments.iter().any(|s| s.end_ms > s.start_ms);
    let mut speakers: Vec<SpeakerStats> = Vec::new();
    let mut index: FastMap<&str, usize> = FastMap::default();
    let mut total_words = 0u64;
    for seg in segments {
        let words = text::count_words(&seg.text) as u64;
        let seconds = if timed {
            seg.end_ms.saturating_sub(seg.start_ms) as f64 / 1000.0
        } else {
            words as f64 * SECONDS_PER_WORD
        };
        if words == 0 && seconds == 0.0 {
            continue;
        }
        total_words += words;
        let next = speakers.len();
        let i = *index.entry(seg.speaker.as_str()).or_insert(next);
        if i == next {
            speakers.push(SpeakerStats {
                speaker: seg.speaker.clone(),
                talk_time_seconds: 0.0,
                word_count: 0,
                share: 0.0,
            });
        }
        speakers[i].word_count += words;
        speakers[i].talk_time_seconds += seconds;
    }
    for s in &mut speakers {
        s.share = if total_words == 0 {
            0.0
        } else {
            round(s.word_count as f64 / total_words as f64, 4)
        };
        s.talk_time_seconds = round(s.talk_time_seconds, 1);
    }
    // Stable sort: equal talkers stay in order of first appearance.
    speakers.sort_by(|a, b| {
        b.talk_time_seconds
            .total_cmp(&a.talk_time_seconds)
            .then(b.word_count.cmp(&a.word_count))
    });
    let duration_seconds = if timed {
        transcript.duration_ms() as f64 / 1000.0
    } else {
        round(total_words as f64 * SECONDS_PER_WORD, 1)
    };
    Stats {
        speakers,
        duration_seconds,
        word_count: total_words,
    }
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}
