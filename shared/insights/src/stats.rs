//! Who spoke how much, and how long the meeting was: from the segment times when the
//! transcript has them, otherwise estimated from words at 150 words a minute.

use super::hash::FastMap;
use super::text;
use domain::insights::SpeakerStats;
use domain::transcript::Transcript;

const SECONDS_PER_WORD: f64 = crate::MS_PER_WORD as f64 / 1000.0;

/// Speakers listed one by one; beyond this many, the quietest are summed in one entry.
pub(crate) const MAX_SPEAKERS: usize = 50;

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
    if speakers.len() > MAX_SPEAKERS {
        // The rest are folded into one entry: the stored results stay bounded however
        // many names a report carries (100,000 distinct speakers is a hostile report, not
        // a meeting).
        let rest = speakers.split_off(MAX_SPEAKERS - 1);
        let words: u64 = rest.iter().map(|s| s.word_count).sum();
        speakers.push(SpeakerStats {
            speaker: format!("{} other speakers", rest.len()),
            talk_time_seconds: round(rest.iter().map(|s| s.talk_time_seconds).sum(), 1),
            word_count: words,
            share: if total_words == 0 {
                0.0
            } else {
                round(words as f64 / total_words as f64, 4)
            },
        });
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use domain::transcript::Segment;

    #[test]
    fn the_speaker_list_is_bounded_and_the_rest_are_summed() {
        let transcript = Transcript(
            (0..1000u64)
                .map(|i| Segment {
                    speaker: format!("S{i}"),
                    text: "word ".repeat(1 + (i % 7) as usize),
                    start_ms: i * 1000,
                    end_ms: i * 1000 + 500,
                })
                .collect(),
        );
        let stats = stats(&transcript);
        assert_eq!(stats.speakers.len(), MAX_SPEAKERS);
        let last = stats.speakers.last().unwrap();
        assert_eq!(last.speaker, "951 other speakers");
        let words: u64 = stats.speakers.iter().map(|s| s.word_count).sum();
        assert_eq!(words, stats.word_count, "no word is lost in the folding");
    }
}
