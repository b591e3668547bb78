//! Action items (who does what, by when) and decisions, found by the phrases people use
//! to commit, ask and conclude ("I'll ...", "can you ...", "we decided ...").
//!
//! - `actions`: commitments and requests, with their owner (`names`) and deadline (`due`).
//! - `decisions`: conclusions the meeting reached.

mod actions;
mod decisions;
mod due;
mod names;

pub(crate) use actions::action_items;
pub(crate) use decisions::decisions;

/// The `max` highest-scored, shown in meeting order.
fn keep_best<T>(mut found: Vec<(u32, usize, T)>, max: usize) -> Vec<T> {
    if found.len() > max {
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(max);
        found.sort_by_key(|f| f.1);
    }
    found.into_iter().map(|f| f.2).collect()
}

/// Where `phrase` starts in `words`.
fn find_phrase(words: &[&str], phrase: &[&str]) -> Option<usize> {
    if phrase.is_empty() || words.len() < phrase.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| words[i..i + phrase.len()] == *phrase)
}
