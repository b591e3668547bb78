//! The built-in, offline insights engine: Q&A pairs, an extractive summary, action items,
//! decisions, topics and speaker statistics from a transcript, with no network and no
//! model. Deterministic, and linear in the length of the meeting: every step looks at a
//! bounded window around each sentence, so four hours cost four times one hour. A work
//! budget bounds the whole analysis, whatever the transcript (see `budget`).
//!
//! - `budget`: the work budget, and the transcript read within it, turn by turn.
//! - `text`: cleaning raw speech (annotation tokens, fillers, false starts) into sentences.
//! - `doc`: the transcript read once: turns, sentences, term statistics.
//! - `summary`, `qa`, `items`, `topics`, `stats`: one product each.
//! - `score`: the meeting score, with its strengths and weaknesses, from the products' counts.

mod budget;
mod doc;
mod hash;
mod items;
mod qa;
mod score;
mod stats;
mod summary;
mod text;
mod topics;

use domain::insights::{Analysis, Insights};
use domain::transcript::Transcript;

pub use text::count_words;

/// Milliseconds per word at 150 words a minute: the pace that gives talk times to
/// transcripts without segment times (and QMSum turns their times, in `xtask`).
pub const MS_PER_WORD: u64 = 400;

/// The `engine` name in the insights this engine produces.
pub const ENGINE_NAME: &str = "builtin";

/// Summary length when none is configured: about one word in eighty, within these bounds.
const AUTO_SUMMARY_MIN_WORDS: usize = 60;
const AUTO_SUMMARY_MAX_WORDS: usize = 200;
const AUTO_SUMMARY_RATIO: usize = 80;
const MAX_QA_PAIRS: usize = 25;

/// The engine's options; building and cloning it costs nothing.
#[derive(Clone, Debug)]
pub struct BuiltinEngine {
    summary_words: Option<usize>,
    max_qa_pairs: usize,
}

impl Default for BuiltinEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl BuiltinEngine {
    pub fn new() -> Self {
        BuiltinEngine {
            summary_words: None,
            max_qa_pairs: MAX_QA_PAIRS,
        }
    }

    /// A fixed summary length in words instead of one that grows with the meeting.
    pub fn with_summary_words(mut self, words: usize) -> Self {
        self.summary_words = Some(words);
        self
    }

    pub fn analyze(&self, transcript: &Transcript) -> Analysis {
        self.analyze_within(transcript, budget::WORK_BUDGET)
    }

    /// `analyze` with `work_units` of work, for tests of other budgets.
    fn analyze_within(&self, transcript: &Transcript, work_units: usize) -> Analysis {
        let doc = doc::Document::build(transcript, work_units);
        let summary_words = self.summary_words.unwrap_or_else(|| {
            (doc.words / AUTO_SUMMARY_RATIO).clamp(AUTO_SUMMARY_MIN_WORDS, AUTO_SUMMARY_MAX_WORDS)
        });
        let read = doc.cut.map(|cut| cut.apply(transcript));
        let stats = stats::stats(read.as_ref().unwrap_or(transcript));
        let insights_error = doc.cut.map(|_| budget::too_long_message(stats.word_count));
        let topics = topics::topics(&doc);
        let questions = qa::questions(&doc, self.max_qa_pairs);
        let action_items = items::action_items(&doc);
        let decisions = items::decisions(&doc);
        let score = score::score(&score::Signals {
            speakers: &stats.speakers,
            duration_seconds: stats.duration_seconds,
            questions_asked: questions.asked,
            questions_answered: questions.answered,
            open_question: questions.open_example.as_ref(),
            decisions: &decisions,
            action_items: &action_items,
            spoken_words: doc.spoken_words,
            substantive_words: doc
                .sentences
                .iter()
                .filter(|s| !s.terms.is_empty())
                .map(|s| s.clean.words)
                .sum(),
        });
        Analysis {
            qa_pairs: questions.pairs,
            insights: Some(Insights {
                summary: summary::summarize(&doc, summary_words),
                action_items,
                decisions,
                topics: topics.topics,
                keywords: topics.keywords,
                speakers: stats.speakers,
                duration_seconds: stats.duration_seconds,
                word_count: stats.word_count,
                engine: ENGINE_NAME.to_owned(),
                overall_score: Some(score.overall),
                strengths: score.strengths,
                weaknesses: score.weaknesses,
            }),
            insights_error,
        }
    }

    /// The best sentences of the meeting, cleaned and in their original order, close to
    /// `max_words` words in all: a sentence is added only if it brings the length closer.
    /// Of a transcript longer than the work budget allows, the part read.
    pub fn summarize(&self, transcript: &Transcript, max_words: usize) -> String {
        let doc = doc::Document::build(transcript, budget::WORK_BUDGET);
        summary::summarize(&doc, max_words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::insights::{ActionItem, QaPair};
    use domain::transcript::Segment;

    /// Segments two seconds apart, one second long each.
    fn meeting(lines: &[(&str, &str)]) -> Transcript {
        Transcript(
            lines
                .iter()
                .enumerate()
                .map(|(i, (speaker, text))| Segment {
                    speaker: (*speaker).into(),
                    text: (*text).into(),
                    start_ms: i as u64 * 2000,
                    end_ms: i as u64 * 2000 + 1000,
                })
                .collect(),
        )
    }

    fn insights(t: &Transcript) -> Insights {
        BuiltinEngine::new().analyze(t).insights.unwrap()
    }

    #[test]
    fn question_answered_by_another_speaker_is_paired() {
        let t = meeting(&[
            (
                "Ada",
                "Welcome everyone. When is the database migration planned?",
            ),
            ("Bob", "We plan to migrate the database on Thursday night."),
            ("Ada", "Okay."),
            ("Bob", "The backups are already tested."),
            ("Cy", "Good, then let's move on to the budget."),
        ]);
        let analysis = BuiltinEngine::new().analyze(&t);
        assert_eq!(
            analysis.qa_pairs,
            [QaPair {
                question: "When is the database migration planned?".into(),
                answer: "We plan to migrate the database on Thursday night. The backups are already tested.".into(),
                asked_by: Some("Ada".into()),
                answered_by: Some("Bob".into()),
            }]
        );
    }

    #[test]
    fn unanswered_and_rhetorical_questions_are_skipped() {
        let t = meeting(&[
            ("Ada", "What should the new pricing page look like?"),
            ("Bob", "Yeah."),
            (
                "Ada",
                "I think we keep it simple. It is a small change, right?",
            ),
            ("Bob", "Mm-hmm."),
            ("Cy", "Who owns the release notes for the mobile app?"),
        ]);
        assert!(BuiltinEngine::new().analyze(&t).qa_pairs.is_empty());
    }

    #[test]
    fn action_item_has_owner_task_and_due_date() {
        let t = meeting(&[
            ("Ada", "The customer report is late."),
            ("Bob", "I'll send the customer report to legal by Friday."),
            (
                "Ada",
                "Cy, can you update the onboarding slides by the end of the month?",
            ),
            ("Cy", "Sure, I can do that."),
        ]);
        let items = insights(&t).action_items;
        assert_eq!(
            items[0],
            ActionItem {
                task: "Send the customer report to legal by Friday".into(),
                owner: Some("Bob".into()),
                due: Some("by Friday".into()),
            }
        );
        assert_eq!(items[1].owner.as_deref(), Some("Cy"));
        assert_eq!(items[1].due.as_deref(), Some("by the end of the month"));
    }

    #[test]
    fn decisions_are_found_and_negations_ignored() {
        let t = meeting(&[
            ("Ada", "We haven't decided on the vendor yet."),
            (
                "Bob",
                "After the review we decided to keep the rubber buttons.",
            ),
            ("Cy", "Fine, let's go with the yellow case then."),
        ]);
        assert_eq!(
            insights(&t).decisions,
            [
                "After the review we decided to keep the rubber buttons.",
                "Fine, let's go with the yellow case then."
            ]
        );
    }

    #[test]
    fn empty_transcript_gives_empty_but_valid_results() {
        let analysis = BuiltinEngine::new().analyze(&Transcript::default());
        assert!(analysis.qa_pairs.is_empty());
        let insights = analysis.insights.unwrap();
        assert_eq!(insights.summary, "");
        assert!(
            insights.speakers.is_empty()
                && insights.topics.is_empty()
                && insights.action_items.is_empty()
        );
        assert_eq!((insights.word_count, insights.duration_seconds), (0, 0.0));
        assert_eq!(insights.engine, "builtin");
        let noise_only = meeting(&[("Ada", "{vocalsound} um"), ("Bob", "   ")]);
        assert_eq!(BuiltinEngine::new().summarize(&noise_only, 50), "");
    }

    #[test]
    fn monologue_has_no_qa_and_one_speaker() {
        let t = meeting(&[
            (
                "Ada",
                "Why do we measure latency at all? Because customers feel it.",
            ),
            (
                "Ada",
                "What matters is the slowest percentile? The median hides it.",
            ),
            (
                "Ada",
                "So the dashboard shows the ninety-ninth percentile of latency.",
            ),
        ]);
        let analysis = BuiltinEngine::new().analyze(&t);
        assert!(analysis.qa_pairs.is_empty());
        let speakers = analysis.insights.unwrap().speakers;
        assert_eq!(speakers.len(), 1);
        assert_eq!(speakers[0].share, 1.0);
    }

    #[test]
    fn talk_time_comes_from_timestamps_or_from_words() {
        let timed = meeting(&[("Ada", "one two three"), ("Bob", "four"), ("Ada", "five")]);
        let i = insights(&timed);
        assert_eq!(
            (
                i.speakers[0].speaker.as_str(),
                i.speakers[0].talk_time_seconds
            ),
            ("Ada", 2.0)
        );
        assert_eq!(i.duration_seconds, 5.0);
        assert_eq!(i.speakers[0].share, 0.8);

        let mut untimed = timed.clone();
        for s in &mut untimed.0 {
            (s.start_ms, s.end_ms) = (0, 0);
        }
        let i = insights(&untimed);
        assert_eq!(i.speakers[0].talk_time_seconds, 1.6);
        assert_eq!(i.duration_seconds, 2.0);
    }

    #[test]
    fn noise_fillers_and_false_starts_are_not_shown() {
        let t = meeting(&[(
            "Ada",
            "So , uh , the the new remote {vocalsound} should be {disfmarker} should be yellow and spongy . \
             I I think , you know , the remote control needs a rubber case for the remote .",
        )]);
        let summary = BuiltinEngine::new().summarize(&t, 40);
        assert_eq!(
            summary,
            "The new remote should be yellow and spongy. I think, the remote control needs a rubber case for the remote."
        );
    }

    #[test]
    fn non_english_text_does_not_panic() {
        let t = meeting(&[
            (
                "Åsa",
                "Wann ist die Migration geplant? Ähm, {vocalsound} das wissen wir noch nicht.",
            ),
            ("李", "数据库迁移计划在星期四晚上进行吗？"),
            (
                "Олег",
                "Да, в четверг вечером мы переносим базу данных. Отчёт будет готов завтра.",
            ),
            (
                "Åsa",
                "Très bien, on décide ça ensemble… 🎉 emoji ünïcödé ǅ",
            ),
        ]);
        let analysis = BuiltinEngine::new().with_summary_words(3).analyze(&t);
        let insights = analysis.insights.unwrap();
        assert_eq!(insights.speakers.len(), 3);
        assert!(!insights.keywords.is_empty());
        for n in 0..12 {
            BuiltinEngine::new().summarize(&t, n);
        }
    }

    #[test]
    fn four_hours_of_talk_finish_fine() {
        let lines = [
            ("Ada", "Let's review the roadmap of team {n} and the open hiring questions?"),
            ("Bob", "Uh , the the checkout redesign {n} ships next week, and we decided to keep the API."),
            ("Cy", "I'll draft migration guide {n} for partners by Friday {vocalsound} ."),
            ("Ada", "What is the risk for fraud model {n} during the migration window?"),
            ("Bob", "Um, fraud model {n} is retrained nightly, so the risk is small."),
        ];
        // Every round numbered, so that nothing is merely the same thing said again.
        let mut script: Vec<(String, String)> = Vec::new();
        let mut words = 0;
        for round in 0.. {
            if words >= 40_000 {
                break;
            }
            for (speaker, line) in lines {
                let text = line.replace("{n}", &round.to_string());
                words += text.split_whitespace().count();
                script.push((speaker.to_owned(), text));
            }
        }
        let lines: Vec<(&str, &str)> = script
            .iter()
            .map(|(s, t)| (s.as_str(), t.as_str()))
            .collect();
        // No timestamps: the length of the meeting is estimated from its words.
        let mut t = meeting(&lines);
        for s in &mut t.0 {
            (s.start_ms, s.end_ms) = (0, 0);
        }
        assert!(t.word_count() >= 40_000);
        let analysis = BuiltinEngine::new().analyze(&t);
        assert_eq!(analysis.insights_error, None);
        assert_eq!(analysis.qa_pairs.len(), 25);
        let insights = analysis.insights.unwrap();
        assert!(insights.summary.split_whitespace().count() <= 2 * AUTO_SUMMARY_MAX_WORDS);
        assert_eq!(
            (insights.action_items.len(), insights.decisions.len()),
            (10, 10)
        );
        assert_eq!(insights.speakers.len(), 3);
        assert!(insights.duration_seconds > 3.0 * 3600.0);
    }
}
