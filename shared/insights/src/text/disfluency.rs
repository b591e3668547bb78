//! Disfluencies removed from the tokens: fillers ("um", ", you know,"), false starts
//! before a `{disfmarker}`, stutters, repeated phrases and cut-off bits of words.

use super::words::is_stopword;
use super::{ends_clause, ends_sentence, Kind, Tok};
use crate::hash::WordSet;

/// How far back a restart after `{disfmarker}` may reach for the words it repeats.
const RESTART_WINDOW: usize = 8;

/// Moves a sentence end carried by a removed token onto the word before it, so that
/// "that's it, um." still ends the sentence.
fn carry_end(prev: &mut Tok<'_>, removed_text: &str) {
    if ends_sentence(removed_text) && !ends_sentence(&prev.text) {
        let text = prev.text.to_mut();
        let keep = text.trim_end_matches([',', ';', ':']).len();
        text.truncate(keep);
        text.push('.');
    }
}

pub(super) fn drop_fillers(mut toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
    let mut out: Vec<Tok<'_>> = Vec::with_capacity(toks.len());
    // Where the last word of `out` is: searching back for it past a run of restart marks,
    // at every filler, would be quadratic in the run.
    let mut last_word: Option<usize> = None;
    let mut i = 0;
    while i < toks.len() {
        let len = filler_len(&toks, i, out.last());
        if len > 0 {
            if let Some(w) = last_word {
                carry_end(&mut out[w], &toks[i + len - 1].text);
            }
            i += len;
        } else {
            if toks[i].kind == Kind::Word {
                last_word = Some(out.len());
            }
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
pub(super) fn repair_restarts(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
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
pub(super) fn drop_repetitions(toks: Vec<Tok<'_>>) -> Vec<Tok<'_>> {
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

/// Hesitation sounds, dropped wherever they occur.
static FILLERS: WordSet = WordSet::new(
    "
    um umm uhm uh uhh er erm hmm hm mm mmm mhm mm-hmm mm-hm uh-huh ah eh huh
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

#[cfg(test)]
mod tests {
    use super::super::texts;

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
    fn a_filler_ending_a_sentence_ends_it_past_restart_marks() {
        let restarts = "{disfmarker} ".repeat(1000);
        assert_eq!(texts(&format!("That's it {restarts} um.")), ["That's it."]);
    }

    #[test]
    fn you_know_is_a_filler_only_between_commas() {
        assert_eq!(texts("It is, you know, quite big."), ["It is, quite big."]);
        assert_eq!(texts("Do you know the price?"), ["Do you know the price?"]);
    }
}
