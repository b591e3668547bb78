//! Raw turn text to word tokens: annotation groups (`{vocalsound}`, `[Laughter.]`) dropped
//! and `{disfmarker}` kept as a restart mark, tokenised punctuation (" , ") and clitics
//! (" 're") joined to the word before, letter-by-letter acronyms ("T_V_") joined.

use super::words::normalize;
use super::{Kind, Tok};
use std::borrow::Cow;

/// Annotation groups longer than this are not annotations; the bracket is dropped alone.
const MAX_ANNOTATION_BYTES: usize = 60;

pub(super) fn lex(raw: &str) -> (Vec<Tok<'_>>, u32) {
    let mut toks = Vec::with_capacity(raw.len() / 5);
    let mut n = 0u32;
    let mut rest = raw;
    while let Some(i) = rest.find(['{', '[']) {
        push_words(&rest[..i], &mut toks, &mut n);
        let close = if rest[i..].starts_with('{') { '}' } else { ']' };
        // The bracket is one byte, so `i + 1` is a character boundary.
        let after = &rest[i + 1..];
        match after.find(close) {
            Some(j) if j <= MAX_ANNOTATION_BYTES => {
                if close == '}' && after[..j].trim().eq_ignore_ascii_case("disfmarker") {
                    toks.push(Tok {
                        text: Cow::Borrowed(""),
                        norm: Cow::Borrowed(""),
                        kind: Kind::Restart,
                        raw: n,
                        cut: false,
                    });
                }
                n += 1;
                rest = &after[j + 1..];
            }
            _ => rest = after,
        }
    }
    push_words(rest, &mut toks, &mut n);
    (toks, n)
}

fn push_words<'a>(text: &'a str, toks: &mut Vec<Tok<'a>>, n: &mut u32) {
    for word in text.split_whitespace() {
        let has_content = word.chars().any(char::is_alphanumeric);
        let prev_word = toks.last_mut().filter(|t| t.kind == Kind::Word);
        if !has_content {
            // Tokenised punctuation (" , " in AMI/ICSI transcripts) belongs to the word before.
            if let Some(prev) = prev_word {
                if word.chars().all(|c| ",.?!;:…".contains(c)) {
                    prev.text.to_mut().push_str(word);
                }
            }
            continue;
        }
        if is_clitic(word) {
            if let Some(prev) = prev_word {
                prev.text.to_mut().push_str(word);
                prev.norm = Cow::Owned(normalize(&prev.text).into_owned());
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
