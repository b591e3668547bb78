//! Cleaned tokens split into sentences (at sentence punctuation, past titles such as
//! "Mr.", and at a comma or a hard limit in unpunctuated speech) and rendered as text.

use super::words::capitalize;
use super::{ends_sentence, CleanSentence, Tok};
use crate::hash::WordSet;

/// Above this many tokens a sentence is split at the next comma, and at `HARD_SPLIT` anyway:
/// unpunctuated speech-to-text output would otherwise become one huge "sentence". With words
/// of at most `MAX_WORD_BYTES` (see `tokens`), a sentence is at most about 6 KB of text.
const SOFT_SPLIT: usize = 40;
const HARD_SPLIT: usize = 60;

pub(super) fn split_sentences(toks: Vec<Tok<'_>>, raw_total: u32) -> Vec<CleanSentence> {
    let mut sentences = Vec::new();
    let mut current: Vec<Tok<'_>> = Vec::with_capacity(HARD_SPLIT);
    let mut raw_from = 0u32;
    let total = toks.len();
    for (i, t) in toks.into_iter().enumerate() {
        let ends = ends_sentence(&t.text) && !is_abbreviation(&t.text);
        let soft = current.len() + 1 >= SOFT_SPLIT && t.text.ends_with([',', ';', ':']);
        let hard = current.len() + 1 >= HARD_SPLIT;
        let raw_to = if i + 1 == total { raw_total } else { t.raw + 1 };
        current.push(t);
        if ends || soft || hard {
            let run_on = !ends;
            if let Some(s) = finish_sentence(&current, raw_to.saturating_sub(raw_from), run_on) {
                sentences.push(s);
            }
            current.clear();
            raw_from = raw_to;
        }
    }
    if !current.is_empty() {
        if let Some(s) = finish_sentence(&current, raw_total.saturating_sub(raw_from), false) {
            sentences.push(s);
        }
    }
    sentences
}

fn is_abbreviation(text: &str) -> bool {
    if ABBREVIATIONS.contains_ignoring_case(text) {
        return true;
    }
    // Initials such as "J." in "J. Smith".
    let mut chars = text.chars();
    matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_uppercase())
}

fn finish_sentence(toks: &[Tok<'_>], raw_span: u32, run_on: bool) -> Option<CleanSentence> {
    // Leading discourse markers ("So, okay, well, ...") say nothing once the sentence stands alone.
    let mut skip = 0;
    while toks.len() - skip > 2 && LEAD_MARKERS.contains(&toks[skip].norm) {
        skip += 1;
    }
    let toks = &toks[skip..];
    if toks.is_empty() {
        return None;
    }
    let cut = toks.iter().any(|t| t.cut);
    let mut text = String::with_capacity(toks.iter().map(|t| t.text.len() + 1).sum());
    let mut norms = String::with_capacity(text.capacity());
    for (i, t) in toks.iter().enumerate() {
        if i > 0 {
            text.push(' ');
            norms.push(' ');
        }
        text.push_str(&t.text);
        norms.push_str(&t.norm);
    }
    let keep = text.trim_end_matches([',', ';', ':', '-']).len();
    text.truncate(keep);
    if !ends_sentence(&text) {
        text.push('.');
    }
    if text.starts_with(|c: char| c.is_ascii_lowercase()) {
        text[..1].make_ascii_uppercase();
    } else if !text.is_ascii() {
        text = capitalize(&text);
    }
    let words = toks.len();
    let noise = if raw_span as usize > words {
        (raw_span as usize - words) as f32 / raw_span as f32
    } else {
        0.0
    };
    Some(CleanSentence {
        question: text.ends_with('?'),
        text,
        norms,
        words,
        noise,
        cut,
        run_on,
    })
}

/// Discourse markers that open a sentence and say nothing once it stands alone.
static LEAD_MARKERS: WordSet = WordSet::new(
    "
    so okay ok well yeah right alright oh and anyway now
    ",
);

/// Words ending in a full stop that do not end a sentence (compared ignoring case).
static ABBREVIATIONS: WordSet = WordSet::new(
    "
    mr. mrs. ms. dr. prof. hon. st. vs. e.g. i.e. jr. sr. no. approx.
    ",
);

#[cfg(test)]
mod tests {
    use super::super::clean_sentences;

    #[test]
    fn sentences_split_at_punctuation_but_not_titles() {
        let s = clean_sentences("Thank you, Mr. Chair. Is it ready? Yes!");
        assert_eq!(
            s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["Thank you, Mr. Chair.", "Is it ready?", "Yes!"]
        );
        assert!(s[1].question);
    }
}
