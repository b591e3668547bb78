//! The transcript read once for every analysis: speaker turns, cleaned sentences, and the
//! content-term statistics (frequencies, spread over the meeting, order in each sentence).

use super::budget::{Cut, TurnReader};
use super::hash::FastMap;
use super::text::{self, CleanSentence};
use domain::transcript::Transcript;
use std::ops::Range;

/// Marks a gap between content terms in `Sentence::seq`.
pub(crate) const BREAK: u32 = u32::MAX;

/// Words per chunk when measuring how a term is spread over the meeting.
const CHUNK_WORDS: usize = 200;

/// Consecutive segments of one speaker, joined.
#[derive(Debug)]
pub(crate) struct Turn {
    pub speaker: usize,
    pub sentences: Range<usize>,
    /// Words of the cleaned turn.
    pub words: usize,
}

#[derive(Debug)]
pub(crate) struct Sentence {
    pub turn: usize,
    pub clean: CleanSentence,
    /// Distinct content terms, as vocabulary ids.
    pub terms: Vec<u32>,
    /// Content terms in order, `BREAK` where a function word or punctuation came between.
    pub seq: Vec<u32>,
}

#[derive(Debug, Default)]
pub(crate) struct Vocab {
    ids: FastMap<String, u32>,
    /// First lower-case surface form seen for each stem, to show as a keyword.
    pub surface: Vec<String>,
    pub tf: Vec<u32>,
    /// Chunks of the meeting in which the term occurs.
    pub chunks: Vec<u32>,
    last_chunk: Vec<u32>,
    pub content_tokens: u64,
    buf: String,
}

impl Vocab {
    fn intern(&mut self, norm: &str, chunk: u32) -> u32 {
        text::stem_into(norm, &mut self.buf);
        let id = match self.ids.get(self.buf.as_str()) {
            Some(&id) => id,
            None => {
                let id = self.surface.len() as u32;
                self.ids.insert(self.buf.clone(), id);
                self.surface.push(norm.to_owned());
                self.tf.push(0);
                self.chunks.push(0);
                self.last_chunk.push(u32::MAX);
                id
            }
        };
        let i = id as usize;
        self.tf[i] += 1;
        if self.last_chunk[i] != chunk {
            self.last_chunk[i] = chunk;
            self.chunks[i] += 1;
        }
        self.content_tokens += 1;
        id
    }
}

#[derive(Debug, Default)]
pub(crate) struct Document {
    pub speakers: Vec<String>,
    pub turns: Vec<Turn>,
    pub sentences: Vec<Sentence>,
    pub vocab: Vocab,
    pub words: usize,
    /// Words spoken before cleaning: `words` plus the fillers, false starts and
    /// repetitions cleaning removed.
    pub spoken_words: usize,
    pub chunk_count: u32,
    /// Where reading stopped, when the work budget ran out before the end of the transcript.
    pub cut: Option<Cut>,
}

impl Document {
    /// The transcript read as far as `work_units` of the work budget go (see `budget`).
    pub fn build(transcript: &Transcript, work_units: usize) -> Self {
        let mut doc = Document::default();
        let mut speaker_ids: FastMap<&str, usize> = FastMap::default();
        let mut reader = TurnReader::new(transcript.segments(), work_units);
        let mut turn_text = String::new();
        while let Some(speaker) = reader.next_piece(&mut turn_text) {
            let (cleaned, spoken) = text::clean_sentences_counted(&turn_text);
            doc.spoken_words += spoken;
            if cleaned.is_empty() {
                continue;
            }
            let next_id = doc.speakers.len();
            let speaker_id = *speaker_ids.entry(speaker).or_insert(next_id);
            if speaker_id == next_id {
                doc.speakers.push(speaker.to_owned());
            }
            // A speaker whose only words were noise leaves no turn, so the turns around it
            // merge; so do the pieces of a long turn.
            let turn_id = match doc.turns.last() {
                Some(last) if last.speaker == speaker_id => doc.turns.len() - 1,
                _ => {
                    let start = doc.sentences.len();
                    doc.turns.push(Turn {
                        speaker: speaker_id,
                        sentences: start..start,
                        words: 0,
                    });
                    doc.turns.len() - 1
                }
            };
            for clean in cleaned {
                doc.add_sentence(turn_id, clean);
            }
            let end = doc.sentences.len();
            doc.turns[turn_id].sentences.end = end;
        }
        doc.chunk_count = (doc.words / CHUNK_WORDS) as u32 + 1;
        doc.cut = reader.cut();
        doc
    }

    fn add_sentence(&mut self, turn: usize, clean: CleanSentence) {
        let chunk = (self.words / CHUNK_WORDS) as u32;
        let mut terms = Vec::with_capacity(clean.words / 2 + 1);
        let mut seq = Vec::with_capacity(clean.words);
        for (word, norm) in clean.text.split(' ').zip(clean.norms.split(' ')) {
            let content = !norm.is_empty()
                && !text::is_stopword(norm)
                && !norm.bytes().all(|c| c.is_ascii_digit());
            if content {
                let id = self.vocab.intern(norm, chunk);
                seq.push(id);
                if !word.ends_with(|c: char| c.is_alphanumeric()) {
                    seq.push(BREAK);
                }
                if !terms.contains(&id) {
                    terms.push(id);
                }
            } else if seq.last().is_some_and(|&l| l != BREAK) {
                seq.push(BREAK);
            }
        }
        self.words += clean.words;
        self.turns[turn].words += clean.words;
        self.sentences.push(Sentence {
            turn,
            clean,
            terms,
            seq,
        });
    }
}
