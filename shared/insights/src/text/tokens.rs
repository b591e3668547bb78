//! Raw turn text to word tokens: annotation groups (`{vocalsound}`, `[Laughter.]`) dropped
//! and `{disfmarker}` kept as a restart mark, tokenised punctuation (" , ") and clitics
//! (" 're") joined to the word before, letter-by-letter acronyms ("T_V_") joined.
//!
//! Hostile text cannot make this slow: a bracket looks for its closing bracket only within
//! `MAX_ANNOTATION_BYTES`, and never in bytes already searched (`Closer`); a word is at most
//! `MAX_WORD_BYTES` long, so that a run of clitics (" 's 's 's") does not re-normalise an
//! ever longer word.

use super::words::{normalize, prefix};
use super::{Kind, Tok};
use std::borrow::Cow;

/// Annotation groups longer than this are not annotations; the bracket is dropped alone.
const MAX_ANNOTATION_BYTES: usize = 60;
/// Longer words are cut to this length, and a word takes on no tokenised punctuation or
/// clitic that would make it longer: it has come out of a machine, not a meeting.
const MAX_WORD_BYTES: usize = 100;

pub(super) fn lex(raw: &str) -> (Vec<Tok<'_>>, u32) {
    let mut toks = Vec::with_capacity(raw.len() / 5);
    let mut n = 0u32;
    let mut closers = [Closer::new(b'}'), Closer::new(b']')];
    let mut at = 0;
    while let Some(i) = raw[at..].find(['{', '[']).map(|i| at + i) {
        push_words(&raw[at..i], &mut toks, &mut n);
        let curly = raw.as_bytes()[i] == b'{';
        // The bracket is one byte, so `i + 1` is a character boundary; so is the ASCII
        // closing bracket.
        let from = i + 1;
        let closer = &mut closers[usize::from(!curly)];
        match closer.find(raw.as_bytes(), from, MAX_ANNOTATION_BYTES + 1) {
            Some(j) => {
                if curly && raw[from..j].trim().eq_ignore_ascii_case("disfmarker") {
                    toks.push(Tok {
                        text: Cow::Borrowed(""),
                        norm: Cow::Borrowed(""),
                        kind: Kind::Restart,
                        raw: n,
                        cut: false,
                    });
                }
                n += 1;
                at = j + 1;
            }
            None => at = from,
        }
    }
    push_words(&raw[at..], &mut toks, &mut n);
    (toks, n)
}

/// Finds closing brackets of one kind in the window after each opening bracket. Brackets
/// come in text order, so what was searched for one bracket is not searched again for the
/// next: a run of unclosed brackets costs one look at each byte, not one per window.
struct Closer {
    byte: u8,
    /// Bytes before this have been searched.
    searched_to: usize,
    /// The first closing bracket found by the last search.
    found: Option<usize>,
}

impl Closer {
    fn new(byte: u8) -> Self {
        Closer {
            byte,
            searched_to: 0,
            found: None,
        }
    }

    /// The first closing bracket in `text[from..from + len]`; `from` may only grow from one
    /// call to the next.
    fn find(&mut self, text: &[u8], from: usize, len: usize) -> Option<usize> {
        let end = (from + len).min(text.len());
        if let Some(found) = self.found.filter(|&f| f >= from) {
            return (found < end).then_some(found);
        }
        let start = from.max(self.searched_to);
        self.found = text[start..end]
            .iter()
            .position(|&b| b == self.byte)
            .map(|j| start + j);
        self.searched_to = self.found.map_or(end, |f| f + 1);
        self.found
    }
}

fn push_words<'a>(text: &'a str, toks: &mut Vec<Tok<'a>>, n: &mut u32) {
    for word in text.split_whitespace() {
        let word = prefix(word, MAX_WORD_BYTES);
        let has_content = word.chars().any(char::is_alphanumeric);
        let prev_word = toks.last_mut().filter(|t| t.kind == Kind::Word);
        if !has_content {
            // Tokenised punctuation (" , " in AMI/ICSI transcripts) belongs to the word before.
            if let Some(prev) = prev_word {
                if word.chars().all(|c| ",.?!;:…".contains(c)) && fits(&prev.text, word) {
                    prev.text.to_mut().push_str(word);
                }
            }
            continue;
        }
        if is_clitic(word) {
            if let Some(prev) = prev_word {
                if fits(&prev.text, word) {
                    prev.text.to_mut().push_str(word);
                    prev.norm = Cow::Owned(normalize(&prev.text).into_owned());
                }
                continue;
            }
        }
        if let Some(acronym) = spelled_acronym(word) {
            toks.push(Tok {
                norm: Cow::Owned(acronym.to_lowercase()),
                text: Cow::Owned(acronym),
                kind: Kind::Word,
                raw: *n,
                cut: false,
            });
        } else {
            toks.push(Tok {
                text: Cow::Borrowed(word),
                norm: normalize(word),
                kind: Kind::Word,
                raw: *n,
                cut: false,
            });
        }
        *n += 1;
    }
}

/// Whether `word` may be joined to `prev` within `MAX_WORD_BYTES`.
fn fits(prev: &str, word: &str) -> bool {
    prev.len() + word.len() <= MAX_WORD_BYTES
}

/// AMI spells acronyms letter by letter ("T_V_", "L_C_D_s"): shown as "TV", "LCDs".
fn spelled_acronym(word: &str) -> Option<String> {
    if !word.contains('_') {
        return None;
    }
    let core = word.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
    let bytes = core.as_bytes();
    let mut letters = 0;
    let mut i = 0;
    while i + 1 < bytes.len() && bytes[i].is_ascii_alphabetic() && bytes[i + 1] == b'_' {
        letters += 1;
        i += 2;
    }
    if letters < 2 || !core[i..].bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut out: String = core[..i].chars().filter(|&c| c != '_').collect();
    out.push_str(&core[i..]);
    out.push_str(&word[core.len()..]);
    Some(out)
}

pub(super) fn is_clitic(tok: &str) -> bool {
    let t = tok.trim_end_matches(|c: char| !c.is_alphanumeric());
    match t.strip_prefix('\'').or_else(|| t.strip_prefix('\u{2019}')) {
        Some(rest) => ["s", "re", "ve", "ll", "d", "m", "t"]
            .iter()
            .any(|c| rest.eq_ignore_ascii_case(c)),
        None => t.eq_ignore_ascii_case("n't"),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{capitalize, clean_sentences, texts};
    use super::MAX_WORD_BYTES;

    #[test]
    fn an_unclosed_bracket_is_dropped_alone() {
        assert_eq!(texts("{ we are [ on time ."), ["We are on time."]);
        let words: Vec<String> = (0..12).map(|i| format!("word{i}")).collect();
        // The closing bracket is too far for an annotation: only the brackets go.
        let far = format!("{{ {} }} done .", words.join(" "));
        assert_eq!(
            texts(&far),
            [format!("{} done.", capitalize(&words.join(" ")))]
        );
        // After a run of unclosed brackets, annotations are still found.
        let run = format!(
            "{} we start with the budget of the whole department for the next year . {{gap}} Then we [Laughter.] vote .",
            "{ [ ".repeat(1000)
        );
        assert_eq!(
            texts(&run),
            [
                "We start with the budget of the whole department for the next year.",
                "Then we vote."
            ]
        );
    }

    #[test]
    fn words_stop_growing_at_the_longest_word() {
        let clitics = format!("it{}", " 's".repeat(100_000));
        let s = clean_sentences(&clitics);
        assert_eq!(s.len(), 1);
        assert!(s[0].text.starts_with("It's's") && s[0].text.len() <= MAX_WORD_BYTES + 1);

        let long = clean_sentences(&"é".repeat(1_000_000));
        assert_eq!(long[0].text.len(), MAX_WORD_BYTES + 1);
    }
}
