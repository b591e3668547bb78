//! Extractive summary: the cleaned sentences that best cover what the meeting talked about,
//! in meeting order.
//!
//! A word's weight is its share of all content words said (SumBasic). A sentence scores the
//! sum of its words' weights, scaled by how readable and placed it is: damped for length,
//! noise, broken-off phrases and questions; raised for the opening minutes (agenda) and for
//! long turns (presentations, explanations). Sentences are picked greedily; after each pick
//! the weights of its words drop, so the next pick covers something else. Only the best
//! `CANDIDATES` sentences take part in the rounds, so the work is linear in the meeting.
//!
//! Weights were tuned on the QMSum validation meetings (`scripts/insights_quality.py`).

use super::doc::Document;
use super::text;

/// Shorter sentences are acknowledgements and fragments; longer ones are run-ons.
const MIN_WORDS: usize = 6;
const MAX_WORDS: usize = 45;
/// Score divided by words^LENGTH_EXP: long sentences cover more words but cost more space.
const LENGTH_EXP: f64 = 0.6;
const CUT_FACTOR: f64 = 0.6;
const RUN_ON_FACTOR: f64 = 0.8;
const QUESTION_FACTOR: f64 = 0.6;
/// The opening share of the meeting, where the agenda is set, and its bonus.
const LEAD_SHARE: f64 = 0.05;
const LEAD_BONUS: f64 = 0.5;
/// Bonus per e-fold of the words in the sentence's turn.
const TURN_WEIGHT: f64 = 0.1;
/// What remains of a word's weight once a picked sentence has covered it.
const SQUASH: f64 = 0.3;
const CANDIDATES: usize = 300;
/// In meetings of at least this many content words, words said once carry no weight.
const MIN_CONTENT_FOR_TF2: u64 = 200;

pub(crate) fn summarize(doc: &Document, max_words: usize) -> String {
    if max_words == 0 || doc.sentences.is_empty() {
        return String::new();
    }
    let mut weight = term_weights(doc);
    let mut prior = priors(doc, MIN_WORDS);
    if prior.iter().all(|&p| p == 0.0) {
        // A short exchange of short sentences: take what there is.
        prior = priors(doc, 1);
    }
    let score = |i: usize, weight: &[f64]| {
        prior[i]
            * doc.sentences[i]
                .terms
                .iter()
                .map(|&t| weight[t as usize])
                .sum::<f64>()
    };
    let mut candidates: Vec<(f64, usize)> = (0..doc.sentences.len())
        .filter(|&i| prior[i] > 0.0)
        .map(|i| (score(i, &weight), i))
        .collect();
    if candidates.len() > CANDIDATES {
        candidates
            .select_nth_unstable_by(CANDIDATES, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(CANDIDATES);
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut used = 0;
    while used < max_words {
        let remaining = max_words - used;
        let mut best: Option<(f64, usize)> = None;
        for &(_, i) in &candidates {
            // Taken only if it brings the length closer to the target than stopping would.
            if doc.sentences[i].clean.words >= 2 * remaining || chosen.contains(&i) {
                continue;
            }
            let s = score(i, &weight);
            if best.is_none_or(|(b, bi)| s > b || (s == b && i < bi)) {
                best = Some((s, i));
            }
        }
        let Some((_, i)) = best else { break };
        chosen.push(i);
        used += doc.sentences[i].clean.words;
        for &t in &doc.sentences[i].terms {
            weight[t as usize] *= SQUASH;
        }
    }
    if chosen.is_empty() {
        // Even the shortest good sentence is too long for the budget: cut the best one.
        return match candidates
            .iter()
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
        {
            Some(&(_, i)) => text::truncate_words(&doc.sentences[i].clean.text, max_words),
            None => String::new(),
        };
    }
    chosen.sort_unstable();
    let texts: Vec<&str> = chosen
        .iter()
        .map(|&i| doc.sentences[i].clean.text.as_str())
        .collect();
    texts.join(" ")
}

fn term_weights(doc: &Document) -> Vec<f64> {
    let vocab = &doc.vocab;
    let total = vocab.content_tokens.max(1) as f64;
    let min_tf = if vocab.content_tokens >= MIN_CONTENT_FOR_TF2 {
        2
    } else {
        1
    };
    vocab
        .tf
        .iter()
        .map(|&tf| {
            if tf < min_tf {
                0.0
            } else {
                f64::from(tf) / total
            }
        })
        .collect()
}

/// Everything in a sentence's score except its words' weights; 0 for sentences never shown.
fn priors(doc: &Document, min_words: usize) -> Vec<f64> {
    let lead = doc.sentences.len() as f64 * LEAD_SHARE;
    doc.sentences
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let c = &s.clean;
            if c.words < min_words || c.words > MAX_WORDS || s.terms.is_empty() {
                return 0.0;
            }
            let mut f = (1.0 - f64::from(c.noise)).max(0.0);
            if c.cut {
                f *= CUT_FACTOR;
            }
            if c.run_on {
                f *= RUN_ON_FACTOR;
            }
            if c.question {
                f *= QUESTION_FACTOR;
            }
            if (i as f64) < lead {
                f *= 1.0 + LEAD_BONUS;
            }
            f *= 1.0 + TURN_WEIGHT * (doc.turns[s.turn].words as f64).ln_1p();
            f / (c.words as f64).powf(LENGTH_EXP)
        })
        .collect()
}
