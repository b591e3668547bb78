//! Decisions: sentences with a phrase that concludes ("we decided", "let's go with"),
//! not undone by a negation just before it ("we haven't decided").

use super::{find_phrase, keep_best};
use crate::doc::Document;
use crate::hash::{FastSet, WordSet};
use crate::text;

const MAX_DECISIONS: usize = 10;
const MAX_DECISION_WORDS: usize = 40;

pub(crate) fn decisions(doc: &Document) -> Vec<String> {
    let mut found: Vec<(u32, usize, String)> = Vec::new();
    let mut seen: FastSet<String> = FastSet::default();
    let mut words: Vec<&str> = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.clean.question || !s.clean.norms.split(' ').any(|w| DECISION_KEYS.contains(w)) {
            continue;
        }
        words.clear();
        words.extend(s.clean.norms.split(' '));
        let decided = DECISION_PHRASES.iter().any(|p| {
            find_phrase(&words, p).is_some_and(|at| {
                !words[at.saturating_sub(3)..at]
                    .iter()
                    .any(|w| NEGATIONS.contains(w))
            })
        });
        if !decided {
            continue;
        }
        let text = text::truncate_words(&s.clean.text, MAX_DECISION_WORDS);
        if !seen.insert(text.to_lowercase()) {
            continue;
        }
        found.push((s.terms.len() as u32, i, text));
    }
    keep_best(found, MAX_DECISIONS)
}

/// Phrases that mark a decision, as lower-case words.
const DECISION_PHRASES: &[&[&str]] = &[
    &["we", "decided"],
    &["we've", "decided"],
    &["we", "have", "decided"],
    &["decided", "to"],
    &["decided", "that"],
    &["decided", "on"],
    &["we", "agreed"],
    &["we've", "agreed"],
    &["we", "have", "agreed"],
    &["agreed", "to"],
    &["agreed", "that"],
    &["agreed", "on"],
    &["we", "all", "agree"],
    &["let's", "go", "with"],
    &["lets", "go", "with"],
    &["we'll", "go", "with"],
    &["we", "will", "go", "with"],
    &["we're", "going", "with"],
    &["we", "are", "going", "with"],
    &["go", "with", "the"],
    &["the", "decision", "is"],
    &["the", "decision", "was"],
    &["final", "decision"],
    &["it's", "decided"],
    &["settled", "on"],
    &["let's", "stick", "with"],
    &["we'll", "stick", "with"],
];

/// Words at least one decision phrase contains; a cheap test before the phrase matching.
static DECISION_KEYS: WordSet = WordSet::new(
    "
    decided agreed agree go decision settled stick
    ",
);

/// Words that, just before a decision phrase, undo it ("we haven't decided").
static NEGATIONS: WordSet = WordSet::new(
    "
    not haven't hasn't didn't don't never hadn't weren't wasn't no if whether
    ",
);
