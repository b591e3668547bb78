//! Topics and keywords: content words weighted TF-IDF style, where the "documents" are
//! consecutive chunks of the meeting, so a word that dominates a stretch of it outranks one
//! that is merely everywhere; frequent adjacent pairs ("remote control") become topics.

use super::doc::{Document, BREAK};
use super::hash::FastMap;

const MAX_KEYWORDS: usize = 10;
const MAX_TOPICS: usize = 8;
const MAX_PAIR_TOPICS: usize = 5;
/// Only pairs of this many best-weighted words are counted, which keeps the table small.
const PAIR_VOCAB: usize = 60;

pub(crate) struct Topics {
    pub topics: Vec<String>,
    pub keywords: Vec<String>,
}

pub(crate) fn topics(doc: &Document) -> Topics {
    let vocab = &doc.vocab;
    let chunks = f64::from(doc.chunk_count.max(1));
    let min_tf = if vocab.content_tokens >= 200 { 2 } else { 1 };
    let idf = |t: usize| 1.0 + (chunks / f64::from(vocab.chunks[t].max(1))).ln();
    let mut ranked: Vec<(f64, usize)> = (0..vocab.tf.len())
        .filter(|&t| vocab.tf[t] >= min_tf && is_topical(&vocab.surface[t]))
        .map(|t| (f64::from(vocab.tf[t]) * idf(t), t))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));

    let mut in_pair_vocab = vec![false; vocab.tf.len()];
    for &(_, t) in ranked.iter().take(PAIR_VOCAB) {
        in_pair_vocab[t] = true;
    }
    let mut pairs: FastMap<(u32, u32), u32> = FastMap::default();
    for s in &doc.sentences {
        for w in s.seq.windows(2) {
            let (a, b) = (w[0], w[1]);
            if a != BREAK
                && b != BREAK
                && a != b
                && in_pair_vocab[a as usize]
                && in_pair_vocab[b as usize]
            {
                *pairs.entry((a, b)).or_insert(0) += 1;
            }
        }
    }
    let min_pair = (vocab.content_tokens / 2000).max(2) as u32;
    let mut ranked_pairs: Vec<(f64, (u32, u32))> = pairs
        .into_iter()
        .filter(|&(_, n)| n >= min_pair)
        .map(|((a, b), n)| {
            (
                f64::from(n) * (idf(a as usize) + idf(b as usize)) / 2.0,
                (a, b),
            )
        })
        .collect();
    ranked_pairs.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));

    let mut topics = Vec::new();
    let mut covered = vec![false; vocab.tf.len()];
    for &(_, (a, b)) in ranked_pairs.iter().take(MAX_PAIR_TOPICS) {
        topics.push(format!(
            "{} {}",
            vocab.surface[a as usize], vocab.surface[b as usize]
        ));
        covered[a as usize] = true;
        covered[b as usize] = true;
    }
    for &(_, t) in &ranked {
        if topics.len() >= MAX_TOPICS {
            break;
        }
        if !covered[t] {
            topics.push(vocab.surface[t].clone());
        }
    }
    let keywords = ranked
        .iter()
        .take(MAX_KEYWORDS)
        .map(|&(_, t)| vocab.surface[t].clone())
        .collect();
    Topics { topics, keywords }
}

/// Two-letter Latin words are mostly leftovers ("ex", "ya"); other scripts keep short words.
fn is_topical(word: &str) -> bool {
    !word.is_ascii() || word.len() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::transcript::{Segment, Transcript};

    #[test]
    fn repeated_word_pairs_become_topics() {
        let lines = [
            "The remote control needs a rubber case.",
            "A yellow remote control sells better.",
            "Battery life matters for the remote control.",
            "Battery life should reach two years.",
            "The rubber case protects the battery.",
        ];
        let segments = lines
            .iter()
            .map(|l| Segment {
                speaker: "Ada".into(),
                text: (*l).into(),
                start_ms: 0,
                end_ms: 0,
            })
            .collect();
        let topics = topics(&Document::build(
            &Transcript(segments),
            crate::budget::WORK_BUDGET,
        ));
        // Ties keep the order in which the words were first said.
        assert_eq!(
            topics.topics[..3],
            ["remote control", "rubber case", "battery life"]
        );
        assert_eq!(topics.keywords[0], "remote");
    }
}
