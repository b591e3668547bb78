//! A small, fast hasher for the engine's word tables, and the fixed word lists. The std
//! SipHash guards against crafted keys, which matters for untrusted network input; here the
//! keys are words of a meeting, the tables are bounded by its vocabulary, and hashing is
//! most of the run time.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// The multiply-rotate scheme of rustc's `FxHasher`.
#[derive(Clone, Copy, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = 0u64;
            for (i, &b) in chunk.iter().enumerate() {
                word |= u64::from(b) << (8 * i);
            }
            self.add(word);
        }
        // Words are short: the tail is assembled in a register rather than copied to memory.
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = 0u64;
            for (i, &b) in rest.iter().enumerate() {
                word |= u64::from(b) << (8 * i);
            }
            self.add(word);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.hash
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub(crate) type FastSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

/// A fixed list of words, written as one whitespace-separated string, looked up by hash.
pub(crate) struct WordSet {
    words: &'static str,
    set: OnceLock<FastSet<&'static str>>,
}

impl WordSet {
    pub(crate) const fn new(words: &'static str) -> Self {
        WordSet {
            words,
            set: OnceLock::new(),
        }
    }

    pub(crate) fn contains(&self, word: &str) -> bool {
        self.set
            .get_or_init(|| self.words.split_whitespace().collect())
            .contains(word)
    }

    /// For the rare list whose words may come in any case.
    pub(crate) fn contains_ignoring_case(&self, word: &str) -> bool {
        self.words
            .split_whitespace()
            .any(|w| w.eq_ignore_ascii_case(word))
    }
}
