//! Question and answer pairs: a question that ends a speaker's turn and the reply of the
//! next other speaker, continued over a few turns when only acknowledgements interrupt it.
//! Questions nobody answers are left out rather than given an invented answer.

use super::doc::{Document, Sentence};
use super::hash::FastSet;
use super::text;
use domain::insights::QaPair;
use std::ops::Range;

/// A question shorter than this, in words, is a tag or a check ("Right?", "Is it?").
const MIN_QUESTION_WORDS: usize = 4;
const MAX_QUESTION_WORDS: usize = 50;
const MAX_ANSWER_WORDS: usize = 80;
/// Turns of the answerer merged into one answer.
const MAX_ANSWER_TURNS: usize = 3;
/// Acknowledgement-only turns of others skipped while waiting for the answer.
const MAX_SKIPPED_TURNS: usize = 2;

/// Tag questions that ask for agreement, not information, as whole normalised sentences.
const TAGS: &str = "right|okay|ok|yeah|no|huh|really|sorry|what|yes|alright|all right|eh|isn't it|\
                    you know|don't you think|is that right|is that okay|is it|does it|do you";

/// The meeting's questions: the pairs shown, and how many of the questions put to the
/// others (a question ending a turn, see `question_of`) got an answer.
#[derive(Debug, Default)]
pub(crate) struct Questions {
    pub pairs: Vec<QaPair>,
    pub asked: usize,
    pub answered: usize,
    /// The question left open with the most content words (the first of equals), and who
    /// asked it.
    pub open_example: Option<(String, String)>,
}

pub(crate) fn questions(doc: &Document, max_pairs: usize) -> Questions {
    let mut found: Vec<(f64, usize, QaPair)> = Vec::new();
    // A question asked again and answered alike is shown once.
    let mut seen: FastSet<String> = FastSet::default();
    let (mut asked, mut answered) = (0, 0);
    let mut open: Option<(usize, usize)> = None;
    for (t, turn) in doc.turns.iter().enumerate() {
        let Some(q) = question_of(doc, turn.sentences.clone()) else {
            continue;
        };
        asked += 1;
        let Some((answer, answered_by)) = answer_after(doc, t) else {
            let terms = doc.sentences[q].terms.len();
            if open.is_none_or(|(best, _)| terms > best) {
                open = Some((terms, q));
            }
            continue;
        };
        answered += 1;
        let question = &doc.sentences[q];
        if !seen.insert(format!(
            "{}\n{}",
            question.clean.norms,
            answer.to_lowercase()
        )) {
            continue;
        }
        let score =
            question.terms.len() as f64 + (answer.split_whitespace().count().min(40) as f64) / 10.0;
        found.push((
            score,
            t,
            QaPair {
                question: text::truncate_words(&question.clean.text, MAX_QUESTION_WORDS),
                answer,
                asked_by: Some(doc.speakers[turn.speaker].clone()),
                answered_by: Some(answered_by),
            },
        ));
    }
    if found.len() > max_pairs {
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(max_pairs);
        found.sort_by_key(|f| f.1);
    }
    let open_example = open.map(|(_, q)| {
        let s = &doc.sentences[q];
        (
            text::truncate_words(&s.clean.text, MAX_QUESTION_WORDS),
            doc.speakers[doc.turns[s.turn].speaker].clone(),
        )
    });
    Questions {
        pairs: found.into_iter().map(|f| f.2).collect(),
        asked,
        answered,
        open_example,
    }
}

/// The question a turn ends on: its last question, if no more than one sentence follows it
/// (a speaker who goes on talking was not waiting for an answer).
fn question_of(doc: &Document, sentences: Range<usize>) -> Option<usize> {
    let end = sentences.end;
    let from = sentences.start.max(end.saturating_sub(2));
    let q = (from..end)
        .rev()
        .find(|&i| doc.sentences[i].clean.question)?;
    let s = &doc.sentences[q];
    let trivial = s.clean.words < MIN_QUESTION_WORDS || s.terms.is_empty() || is_tag(s);
    (!trivial).then_some(q)
}

fn is_tag(s: &Sentence) -> bool {
    TAGS.split('|').any(|tag| tag == s.clean.norms)
}

/// Only acknowledgements ("Yeah.", "Mm-hmm, okay."). "Yes" and "no" are answers.
fn is_backchannel(s: &Sentence) -> bool {
    s.clean.words <= 4 && s.clean.norms.split(' ').all(text::is_backchannel)
}

fn turn_is_backchannel(doc: &Document, t: usize) -> bool {
    doc.sentences[doc.turns[t].sentences.clone()]
        .iter()
        .all(is_backchannel)
}

fn answer_after(doc: &Document, asked: usize) -> Option<(String, String)> {
    let asker = doc.turns[asked].speaker;
    let mut t = asked + 1;
    let mut skipped = 0;
    while t < doc.turns.len() && turn_is_backchannel(doc, t) && skipped < MAX_SKIPPED_TURNS {
        t += 1;
        skipped += 1;
    }
    let first = doc.turns.get(t)?;
    if first.speaker == asker || turn_is_backchannel(doc, t) {
        return None;
    }
    let answerer = first.speaker;
    let mut parts: Vec<&str> = Vec::new();
    // An answer says something: a content word, or a plain yes or no.
    let mut says_something = false;
    let mut words = 0;
    let mut turns_used = 0;
    while t < doc.turns.len() && turns_used < MAX_ANSWER_TURNS && words < MAX_ANSWER_WORDS {
        let turn = &doc.turns[t];
        let sentences = &doc.sentences[turn.sentences.clone()];
        // A reply that opens with a question asks for clarification; it does not answer.
        if sentences
            .first()
            .is_some_and(|s| s.clean.question && !is_backchannel(s))
        {
            break;
        }
        let mut leading = true;
        for s in sentences {
            if s.clean.question || words >= MAX_ANSWER_WORDS {
                break;
            }
            // "Yeah." before the actual answer adds nothing; "Yes." alone would be the answer.
            if leading && is_backchannel(s) && sentences.len() > 1 {
                continue;
            }
            leading = false;
            parts.push(&s.clean.text);
            says_something |= !s.terms.is_empty()
                || s.clean
                    .norms
                    .split(' ')
                    .any(|w| matches!(w, "yes" | "no" | "nope"));
            words += s.clean.words;
        }
        turns_used += 1;
        // Carry on only past a short acknowledgement from someone else, back to the answerer.
        if !(t + 2 < doc.turns.len()
            && turn_is_backchannel(doc, t + 1)
            && doc.turns[t + 2].speaker == answerer)
        {
            break;
        }
        t += 2;
    }
    if !says_something {
        return None;
    }
    let answer = text::truncate_words(&parts.join(" "), MAX_ANSWER_WORDS);
    Some((answer, doc.speakers[answerer].clone()))
}
