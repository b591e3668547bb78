//! Words as the statistics see them: counting as people count, normalisation (lower case,
//! outer punctuation trimmed), light stemming, stopwords and acknowledgements, and the small
//! text helpers every product uses (capitalising, cutting to a number of words).

use super::tokens::is_clitic;
use crate::hash::WordSet;
use std::borrow::Cow;

/// Words as people count them: tokens with a letter or digit, outside annotation groups,
/// tokenised clitics (`'re`, `n't`) not counted on their own.
pub fn count_words(raw: &str) -> usize {
    let mut in_group: Option<char> = None;
    let mut n = 0;
    for tok in raw.split_whitespace() {
        if let Some(close) = in_group {
            if tok.contains(close) {
                in_group = None;
            }
            continue;
        }
        let first = tok.chars().next().unwrap_or(' ');
        if first == '{' || first == '[' {
            let close = if first == '{' { '}' } else { ']' };
            if !tok.contains(close) {
                in_group = Some(close);
            }
            continue;
        }
        if is_clitic(tok) {
            continue;
        }
        if tok.chars().any(char::is_alphanumeric) {
            n += 1;
        }
    }
    n
}

/// Lower case, outer punctuation trimmed, typographic apostrophes made plain.
pub(crate) fn normalize(token: &str) -> Cow<'_, str> {
    let trimmed = token.trim_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_ascii() {
        if trimmed.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(trimmed.to_ascii_lowercase())
        } else {
            Cow::Borrowed(trimmed)
        }
    } else {
        Cow::Owned(
            trimmed
                .chars()
                .map(|c| if c == '\u{2019}' { '\'' } else { c })
                .flat_map(char::to_lowercase)
                .collect(),
        )
    }
}

/// A light suffix stripper for English: enough to count "decision" and "decisions", or
/// "design", "designs" and "designing" as one term. Other scripts pass through unchanged.
/// Writes into `out` so that the hot loop allocates nothing.
pub(crate) fn stem_into(word: &str, out: &mut String) {
    out.clear();
    if !word.is_ascii() || word.len() <= 3 {
        out.push_str(word);
        return;
    }
    let w = word.strip_suffix("'s").unwrap_or(word);
    if let Some(base) = w.strip_suffix("ies").filter(|b| b.len() >= 2) {
        out.push_str(base);
        out.push('y');
        return;
    }
    let w = match w.strip_suffix('s') {
        Some(base)
            if base.len() >= 3
                && !w.ends_with("ss")
                && !w.ends_with("us")
                && !w.ends_with("is") =>
        {
            base
        }
        _ => w,
    };
    for suffix in ["ing", "ed"] {
        if let Some(base) = w.strip_suffix(suffix).filter(|b| b.len() >= 4) {
            let b = base.as_bytes();
            let doubled = b[b.len() - 1] == b[b.len() - 2] && !b"aeiouls".contains(&b[b.len() - 1]);
            out.push_str(if doubled {
                &base[..base.len() - 1]
            } else {
                base
            });
            return;
        }
    }
    out.push_str(w);
}

/// Function words and the small talk of meetings (see `STOPWORDS`).
pub(crate) fn is_stopword(norm: &str) -> bool {
    STOPWORDS.contains(norm)
}

/// Words of short acknowledgements, which carry no answer and no content. "Yes" and "no"
/// are not among them: they answer questions.
pub(crate) fn is_backchannel(norm: &str) -> bool {
    BACKCHANNEL.contains(norm)
}

/// Upper-cases the first character, whatever its script.
pub(crate) fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// At most `max_words` words of `text`, with an ellipsis when something was cut.
pub(crate) fn truncate_words(text: &str, max_words: usize) -> String {
    let mut words = text.split_whitespace();
    let head: Vec<&str> = words.by_ref().take(max_words).collect();
    let mut out = head.join(" ");
    if words.next().is_some() {
        out.push('…');
    }
    out
}

/// The longest start of `s` of at most `max` bytes that ends on a character boundary.
pub(crate) fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Words of acknowledgements ("yeah", "I see", "thank you").
static BACKCHANNEL: WordSet = WordSet::new(
    "
    yeah yep yup ok okay right alright mm-hmm uh-huh oh ah i see so well good great cool fine hmm
    mm huh exactly true really wow thanks thank you nice indeed uh um
    ",
);

/// Function words and the small talk of meetings: never topics, keywords or evidence of
/// what a sentence is about.
static STOPWORDS: WordSet = WordSet::new(
    "
    a about above actually after again against ah all almost along already also although always am
    among an and another any anybody anyone anything anyway are aren't around as at away back
    basically be because been before being below between bit both but by can can't cannot certainly
    come could couldn't did didn't do does doesn't doing don't done down during each either else
    enough etc even ever every everybody everyone everything exactly few fine first for from
    further get gets getting go goes going gonna good got gotta great had hadn't has hasn't have
    haven't having he he'd he'll he's her here here's hers herself hey him himself his how how's
    however i i'd i'll i'm i've if in indeed instead into is isn't it it'd it'll it's its itself
    just kind kinda know last least less let let's like likely lot lots made make many may maybe me
    mean might mine more most much must mustn't my myself need needs never next nice no nobody none
    nor not nothing now of off oh ok okay on once one ones only onto or other others ought our ours
    ourselves out over own perhaps pretty probably put quite rather really right said same say
    saying says see seem seems shall she she'd she'll she's should shouldn't since so some somebody
    someone something sometimes somewhat sort still stuff such sure take tell than thank thanks
    that that'll that's the their theirs them themselves then there there's these they they'd
    they'll they're they've thing things think this those though through to too towards true try
    two uh um under until up upon us use used very via want wanna was wasn't way we we'd we'll
    we're we've well went were weren't what what's whatever when where where's whether which while
    who who's whole whom whose why will with within without won't would wouldn't yeah yep yes yet
    you you'd you'll you're you've your yours yourself yourselves guess mm hmm alright anyhow able
    ask bunch cetera couple different easy hard idea look looks looking mhm talk talking three time
    times wanted wants whatnot keep give start today four five mr mrs ms dr hon ca cool ooh aha
    oops
    ",
);

#[cfg(test)]
mod tests {
    use super::super::texts;
    use super::*;

    #[test]
    fn non_english_text_is_handled_by_characters() {
        let s = texts("ähm, das ist gut. {vocalsound} これは テスト です。 Ça marche ?");
        assert_eq!(s[0], "Ähm, das ist gut.");
        assert!(s.iter().any(|t| t.contains("これは")));
        assert_eq!(stem("größen"), "größen");
        assert_eq!(capitalize("élan"), "Élan");
    }

    fn stem(word: &str) -> String {
        let mut out = String::new();
        stem_into(word, &mut out);
        out
    }

    #[test]
    fn stems_group_inflections() {
        assert_eq!(stem("designs"), "design");
        assert_eq!(stem("designing"), "design");
        assert_eq!(stem("batteries"), "battery");
        assert_eq!(stem("planned"), "plan");
        assert_eq!(stem("business"), "business");
    }

    #[test]
    fn word_counts_skip_annotations_and_clitics() {
        assert_eq!(count_words("We 're on , { vocal sound } {gap} really ."), 3);
    }
}
