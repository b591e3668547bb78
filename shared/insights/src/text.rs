//! Readable sentences from raw transcript text: annotation tokens (`{vocalsound}`,
//! `[Laughter.]`), fillers and false starts removed, tokenised punctuation re-attached;
//! plus the word normalisation (lower case, light stemming, stopwords) the statistics use.
//!
//! Everything works on whitespace tokens and `char`s, never on byte offsets computed by
//! hand, so any UTF-8 input is safe. Every repair looks at a bounded window of tokens, so
//! cleaning is linear in the length of the text.

use super::hash::WordSet;
use std::borrow::Cow;

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

/// Above this many tokens a sentence is split at the next comma, and at `HARD_SPLIT` anyway:
/// unpunctuated speech-to-text output would otherwise become one huge "sentence".
const SOFT_SPLIT: usize = 40;
const HARD_SPLIT: usize = 60;
/// How far back a restart after `{disfmarker}` may reach for the words it repeats.
const RESTART_WINDOW: usize = 8;
/// Annotation groups longer than this are not annotations; the bracket is dropped alone.
const MAX_ANNOTATION_BYTES: usize = 60;

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
pub(crate) fn clean_sentences(raw: &str) -> Vec<CleanSentence> {
    let (toks, raw_total) = lex(raw);
    let toks = drop_fillers(toks);
    let toks = repair_restarts(toks);
    let toks = drop_repetitions(toks);
    split_sentences(toks, raw_total)
}

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

fn lex(raw: &str) -> (Vec<Tok<'_>>, u32) {
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

fn is_clitic(tok: &str) -> bool {
    let t = tok.trim_end_matches(|c: char| !c.is_alphanumeric());
    match t.strip_prefix('\'').or_else(|| t.strip_prefix('\u{2019}')) {
        Some(rest) => ["s", "re", "ve", "ll", "d", "m", "t"]
            .iter()
            .any(|c| rest.eq_ignore_ascii_case(c)),
        None => t.eq_ignore_ascii_case("n't"),
    }
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', '?', '!', '…'])
}

fn ends_clause(text: &str) -> bool {
    text.ends_with([',', ';', ':']) || ends_sentence(text)
}

/// Moves a sentence end carried by a removed token onto the word before it, so that
/// "that's it, um." still ends the sentence.
fn carry_end(out: &mut [Tok<'_>], removed_text: &str) {
    if !ends_sentence(removed_text) {
        return;
    }
    if let Some(prev) = out.iter_mut().rev().find(|t| t.kind == Kind::Word) {
        if !ends_sentence(&prev.text) {
            let text = prev.text.to_mut();
            let keep = text.trim_end_matches([',', ';', ':']).len();
            text.truncate(keep);
            text.push('.');
        }
    }
}

fn drop_fillers(mut toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let len = filler_len(&toks, i, out.last());
        if len > 0 {
            carry_end(&mut out, &toks[i + len - 1].text);
            i += len;
        } else {
            out.push(std::mem::replace(&mut toks[i], Tok::EMPTY));
            i += 1;
        }
    }
    out
}

/// How many tokens from `i` on are a filler; 0 when none.
fn filler_len(toks: &[Tok<'_>], i: usize, prev: Option<&Tok<'_>>) -> usize {
    let t = &toks[i];
    if t.kind != Kind::Word {
        return 0;
    }
    if FILLERS.contains(&t.norm) {
        return 1;
    }
    // "you know", "I mean", "like" are fillers only between commas or sentence edges.
    if !prev.is_none_or(|p| p.kind == Kind::Restart || ends_clause(&p.text)) {
        return 0;
    }
    let next_is = |w: &str| toks.get(i + 1).is_some_and(|n| n.norm == w);
    let len = if (t.norm == "you" && next_is("know")) || (t.norm == "i" && next_is("mean")) {
        2
    } else if t.norm == "like" {
        1
    } else {
        return 0;
    };
    let last = &toks[i + len - 1].text;
    let closes = last.ends_with(',')
        || ends_sentence(last)
        || toks.get(i + len).is_none_or(|n| n.kind == Kind::Restart);
    if closes {
        len
    } else {
        0
    }
}

/// At each `{disfmarker}`: when the words after it restart a phrase begun just before
/// ("which one {disfmarker} which one you're on"), the abandoned attempt goes; a short
/// function-word fragment before it ("and the {disfmarker}") goes too; otherwise the phrase
/// before is marked as cut off.
fn repair_restarts(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    let mut sentence_start = 0;
    let mut iter = toks.into_iter().peekable();
    while let Some(t) = iter.next() {
        if t.kind == Kind::Word {
            let ends = ends_sentence(&t.text);
            out.push(t);
            if ends {
                sentence_start = out.len();
            }
            continue;
        }
        let next_norm = iter
            .peek()
            .filter(|n| n.kind == Kind::Word)
            .map(|n| n.norm.clone());
        let from = sentence_start.max(out.len().saturating_sub(RESTART_WINDOW));
        let restart = next_norm
            .as_deref()
            .and_then(|next| (from..out.len()).find(|&p| out[p].norm == next));
        if let Some(p) = restart {
            out.truncate(p);
            continue;
        }
        let fragment = &out[sentence_start..];
        if !fragment.is_empty()
            && fragment.len() <= 3
            && fragment.iter().all(|f| is_stopword(&f.norm))
        {
            out.truncate(sentence_start);
            continue;
        }
        if out.len() > sentence_start {
            if let Some(last) = out.last_mut().filter(|l| !ends_clause(&l.text)) {
                last.cut = true;
            }
        }
    }
    out
}

/// Stutters and repeated phrases ("I I think", "the the", "we m we may") keep their last
/// copy; cut-off bits of words ("dec decide", "it w I") go.
fn drop_repetitions(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    for t in toks {
        if let Some(prev) = out.last() {
            let cut_off = prev.norm.len() == 1
                || (prev.norm.len() < t.norm.len() && t.norm.starts_with(prev.norm.as_ref()));
            if cut_off && is_fragment(prev) {
                out.pop();
            }
        }
        out.push(t);
        for n in 1..=4 {
            let len = out.len();
            if len < 2 * n {
                break;
            }
            let (a, b) = (&out[len - 2 * n..len - n], &out[len - n..]);
            if a.iter()
                .zip(b)
                .all(|(x, y)| !x.norm.is_empty() && x.norm == y.norm)
            {
                out.drain(len - 2 * n..len - n);
                break;
            }
        }
    }
    if out
        .last()
        .is_some_and(|t| t.norm.len() == 1 && is_fragment(t))
    {
        out.pop();
    }
    out
}

/// What may be a cut-off bit of a word: at most three lower-case letters, no punctuation
/// after it, and not one of the short words of English.
fn is_fragment(t: &Tok<'_>) -> bool {
    t.kind == Kind::Word
        && t.text.len() <= 3
        && t.text.bytes().skip(1).all(|c| c.is_ascii_lowercase())
        && t.text
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && !SHORT_WORDS.contains(&t.norm)
        && !is_stopword(&t.norm)
}

fn split_sentences(toks: Vec<Tok<'_>>, raw_total: u32) -> Vec<CleanSentence> {
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

/// Hesitation sounds, dropped wherever they occur.
static FILLERS: WordSet = WordSet::new(
    "
    um umm uhm uh uhh er erm hmm hm mm mmm mhm mm-hmm mm-hm uh-huh ah eh huh
    ",
);

/// Discourse markers that open a sentence and say nothing once it stands alone.
static LEAD_MARKERS: WordSet = WordSet::new(
    "
    so okay ok well yeah right alright oh and anyway now
    ",
);

/// Words of up to three letters a fragment check must leave alone (stopwords are left
/// alone as well): those that can come right before a longer word they begin ("car cars").
static SHORT_WORDS: WordSet = WordSet::new(
    "
    a i an ok tv pc id cd dvd usb lcd led pm am eu uk ai api ui car cat dog day way key set new old
    big top end low red age art job map pay tax fee web app law war run sun air oil gas box bus man
    men pen fan bar far ten six
    ",
);

/// Words of acknowledgements ("yeah", "I see", "thank you").
static BACKCHANNEL: WordSet = WordSet::new(
    "
    yeah yep yup ok okay right alright mm-hmm uh-huh oh ah i see so well good great cool fine hmm
    mm huh exactly true really wow thanks thank you nice indeed uh um
    ",
);

/// Words ending in a full stop that do not end a sentence (compared ignoring case).
static ABBREVIATIONS: WordSet = WordSet::new(
    "
    mr. mrs. ms. dr. prof. hon. st. vs. e.g. i.e. jr. sr. no. approx.
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
    use super::*;

    fn texts(raw: &str) -> Vec<String> {
        clean_sentences(raw).into_iter().map(|s| s.text).collect()
    }

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

    #[test]
    fn false_starts_and_repetitions_keep_the_last_attempt() {
        assert_eq!(
            texts("I I think the the plan is fine."),
            ["I think the plan is fine."]
        );
        assert_eq!(
            texts("You can see which one {disfmarker} which one you 're on ."),
            ["You can see which one you're on."]
        );
        assert_eq!(
            texts(
                "We m We may wind up with ver We {disfmarker} we may need versions of all this ."
            ),
            ["We may need versions of all this."]
        );
        assert_eq!(
            texts("Then we'll dec decide about the s screen, it w I know."),
            ["Then we'll decide about the screen, it I know."]
        );
        assert_eq!(
            texts("Bu but the L_C_D_s and the T_V_ ."),
            ["But the LCDs and the TV."]
        );
    }

    #[test]
    fn you_know_is_a_filler_only_between_commas() {
        assert_eq!(texts("It is, you know, quite big."), ["It is, quite big."]);
        assert_eq!(texts("Do you know the price?"), ["Do you know the price?"]);
    }

    #[test]
    fn sentences_split_at_punctuation_but_not_titles() {
        let s = clean_sentences("Thank you, Mr. Chair. Is it ready? Yes!");
        assert_eq!(
            s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(),
            ["Thank you, Mr. Chair.", "Is it ready?", "Yes!"]
        );
        assert!(s[1].question);
    }

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
