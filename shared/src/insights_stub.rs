//! Temporary stand-in while the full engine is written in `insights/`.

use crate::domain::insights::{Analysis, Insights, QaPair, SpeakerStats};
use crate::domain::transcript::Transcript;

#[derive(Clone, Debug, Default)]
pub struct BuiltinEngine;

impl BuiltinEngine {
    pub fn new() -> Self {
        Self
    }

    pub fn summarize(&self, transcript: &Transcript, max_words: usize) -> String {
        transcript
            .segments()
            .iter()
            .flat_map(|s| s.text.split_whitespace())
            .take(max_words)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn analyze(&self, transcript: &Transcript) -> Analysis {
        let segs = transcript.segments();
        let mut qa_pairs = Vec::new();
        for (i, seg) in segs.iter().enumerate() {
            if seg.text.trim_end().ends_with('?') {
                if let Some(answer) = segs[i + 1..].iter().find(|s| s.speaker != seg.speaker) {
                    qa_pairs.push(QaPair {
                        question: seg.text.trim().to_owned(),
                        answer: answer.text.trim().to_owned(),
                        asked_by: Some(seg.speaker.clone()),
                        answered_by: Some(answer.speaker.clone()),
                    });
                }
            }
        }
        let total_words = transcript.word_count().max(1) as f64;
        let mut speakers: Vec<SpeakerStats> = Vec::new();
        for seg in segs {
            let words = seg.text.split_whitespace().count() as u64;
            let secs = (seg.end_ms.saturating_sub(seg.start_ms)) as f64 / 1000.0;
            match speakers.iter_mut().find(|s| s.speaker == seg.speaker) {
                Some(s) => {
                    s.word_count += words;
                    s.talk_time_seconds += secs;
                }
                None => speakers.push(SpeakerStats {
                    speaker: seg.speaker.clone(),
                    talk_time_seconds: secs,
                    word_count: words,
                    share: 0.0,
                }),
            }
        }
        for s in &mut speakers {
            s.share = s.word_count as f64 / total_words;
        }
        Analysis {
            qa_pairs,
            insights: Some(Insights {
                summary: self.summarize(transcript, 120),
                speakers,
                duration_seconds: transcript.duration_ms() as f64 / 1000.0,
                word_count: transcript.word_count() as u64,
                engine: "builtin".into(),
                ..Default::default()
            }),
            insights_error: None,
        }
    }
}
