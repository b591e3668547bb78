//! Readable sentences from raw transcript text, and the word normalisation (lower case,
//! light stemming, stopwords) the statistics use. Cleaning is a pipeline over word tokens:
//!
//! - `tokens`: raw text to word tokens; annotation groups (`{vocalsound}`, `[Laughter.]`)
//!   dropped, tokenised punctuation and clitics re-attached, spelled acronyms joined.
//! - `disfluency`: fillers, false starts and repetitions removed.
//! - `sentences`: tokens split into sentences and rendered as text.
//! - `words`: word counting, normalisation, stemming and the word lists behind them.
//!
//! Everything works on whitespace tokens and `char`s, never on byte offsets computed by
//! hand, so any UTF-8 input is safe. Every repair looks at a bounded window of tokens, so
//! cleaning is linear in the length of the text.

mod disfluency;
mod sentences;
mod tokens;
mod words;

use std::borrow::Cow;

pub use words::count_words;
pub(crate) use words::{
    capitalize, is_backchannel, is_stopword, normalize, prefix, stem_into, truncate_words,
};

/// A sentence as shown to people, with what the summary scoring needs to know about it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CleanSentence {
    pub text: String,
    /// The words of `text` lower-cased and trimmed of punctuation, one per word of `text`,
    /// separated by single spaces.
    pub norms: String,
    pub words: usize,
    /// Share of the raw tokens this sentence covered that cleaning removed (noise, fillers,
    /// false starts): a proxy for how garbled the original was.
    pub noise: f32,
    pub question: bool,
    /// The speaker broke off mid-sentence (a `{disfmarker}` after an unfinished phrase).
    pub cut: bool,
    /// No sentence punctuation for a long stretch; split at a comma or a hard limit.
    pub run_on: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Word,
    /// `{disfmarker}`: the speaker stopped and started again.
    Restart,
}

/// A word borrowed from the raw text until cleaning has to change it.
#[derive(Debug)]
struct Tok<'a> {
    text: Cow<'a, str>,
    norm: Cow<'a, str>,
    kind: Kind,
    /// Ordinal of the raw token this came from, to measure what cleaning removed.
    raw: u32,
    cut: bool,
}

impl Tok<'_> {
    const EMPTY: Tok<'static> = Tok {
        text: Cow::Borrowed(""),
        norm: Cow::Borrowed(""),
        kind: Kind::Word,
        raw: 0,
        cut: false,
    };
}

/// Splits raw turn text into cleaned sentences, in order.
#[cfg(test)]
pub(crate) fn clean_sentences(raw: &str) -> Vec<CleanSentence> {
    clean_sentences_counted(raw).0
}

/// `clean_sentences`, and how many words were spoken before cleaning (annotations and
/// tokenised punctuation are not words; fillers, false starts and repetitions are).
pub(crate) fn clean_sentences_counted(raw: &str) -> (Vec<CleanSentence>, usize) {
    let (toks, raw_total) = tokens::lex(raw);
    let spoken = toks.iter().filter(|t| t.kind == Kind::Word).count();
    let toks = disfluency::drop_fillers(toks);
    let toks = disfluency::repair_restarts(toks);
    let toks = disfluency::drop_repetitions(toks);
    (sentences::split_sentences(toks, raw_total), spoken)
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', '?', '!', '…'])
}

fn ends_clause(text: &str) -> bool {
    text.ends_with([',', ';', ':']) || ends_sentence(text)
}

/// The texts of the cleaned sentences, for the tests of every cleaning step.
#[cfg(test)]
fn texts(raw: &str) -> Vec<String> {
    clean_sentences(raw).into_iter().map(|s| s.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_tokens_fillers_and_spaced_punctuation_are_cleaned() {
        assert_eq!(
            texts("So , uh , we 're {vocalsound} on . I do n't think {gap} it 's , um , ready ."),
            ["We're on.", "I don't think it's, ready."]
        );
        assert_eq!(
            texts("{vocalsound} {pause} [Laughter.] um ."),
            Vec::<String>::new()
        );
    }
}
