//! Action items: a commitment ("I'll ...", "Maria will ..."), request ("can you ...") or
//! team intention ("we need to ...") with a concrete task, its owner and its deadline.

use super::due::due_phrase;
use super::names::Names;
use super::{find_phrase, keep_best};
use crate::doc::Document;
use crate::hash::{FastSet, WordSet};
use crate::text;
use domain::insights::ActionItem;

const MAX_ACTIONS: usize = 10;
const MIN_TASK_WORDS: usize = 3;
const MAX_TASK_WORDS: usize = 25;

/// Whom a commitment binds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    /// "I'll ...": the one speaking.
    Speaker,
    /// "Can you ...": the one spoken to, taken to be whoever speaks next.
    Addressee,
    /// "Maria will ...": a participant by name.
    Named(usize),
    /// "We need to ...": nobody in particular.
    Team,
}

pub(crate) fn action_items(doc: &Document) -> Vec<ActionItem> {
    let names = Names::new(&doc.speakers);
    let mut found: Vec<(u32, usize, ActionItem)> = Vec::new();
    let mut seen: FastSet<String> = FastSet::default();
    let mut words: Vec<&str> = Vec::new();
    let mut shown: Vec<&str> = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if !s
            .clean
            .norms
            .split(' ')
            .any(|w| ANCHORS.contains(w) || names.get(w).is_some())
        {
            continue;
        }
        words.clear();
        words.extend(s.clean.norms.split(' '));
        shown.clear();
        shown.extend(s.clean.text.split(' '));
        let Some(Commitment {
            who,
            task: start,
            form,
        }) = (0..words.len()).find_map(|w| commitment(&words, &shown, w, &names))
        else {
            continue;
        };
        if s.clean.question && form != Form::Request {
            continue;
        }
        let due = due_phrase(&words, &shown);
        let cue = has_cue(&words);
        let task_words = &shown[start..];
        let Some(&verb) = words.get(start) else {
            continue;
        };
        // "Do that", "find out": too vague to act on without the conversation around them.
        let concrete = words[start..].iter().any(|w| !text::is_stopword(w));
        if task_words.len() < MIN_TASK_WORDS || !concrete {
            continue;
        }
        if NOT_ACTIONS.contains(verb) {
            continue;
        }
        let talk = TALK_VERBS.contains(verb);
        let keep = due.is_some() || cue || (who != Who::Team && form != Form::Offer && !talk);
        if !keep {
            continue;
        }
        let turn = &doc.turns[s.turn];
        let owner = match who {
            Who::Speaker => Some(doc.speakers[turn.speaker].clone()),
            Who::Named(id) => Some(doc.speakers[id].clone()),
            Who::Addressee => doc
                .turns
                .get(s.turn + 1)
                .filter(|next| next.speaker != turn.speaker)
                .map(|next| doc.speakers[next.speaker].clone()),
            Who::Team => None,
        };
        let task = text::truncate_words(&task_words.join(" "), MAX_TASK_WORDS);
        let task = text::capitalize(task.trim_end_matches(['.', '?', '!', ',', ';', ':']));
        if !seen.insert(task.to_lowercase()) {
            continue;
        }
        let score = 3 * u32::from(due.is_some())
            + 2 * u32::from(cue)
            + u32::from(owner.is_some())
            + u32::from(!talk);
        found.push((score, i, ActionItem { task, owner, due }));
    }
    keep_best(found, MAX_ACTIONS)
}

/// How a commitment was phrased.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Form {
    /// "I'll ...", "we need to ...".
    Firm,
    /// "Can you ...": may come as a question.
    Request,
    /// "I can ...": an offer, an action item only with a date to it.
    Offer,
}

struct Commitment {
    who: Who,
    /// Index of the task's first word.
    task: usize,
    form: Form,
}

/// A commitment starting at word `i`.
fn commitment(words: &[&str], shown: &[&str], i: usize, names: &Names) -> Option<Commitment> {
    let at = |k: usize| words.get(i + k).copied().unwrap_or("");
    let to = |k: usize| at(k) == "to";
    let is = |who: Who, skip: usize, form: Form| Some((who, skip, form));
    let found = match words[i] {
        "i'll" => is(Who::Speaker, 1, Form::Firm),
        "i" if at(1) == "will" => is(Who::Speaker, 2, Form::Firm),
        "i" if at(1) == "am" && at(2) == "going" && to(3) => is(Who::Speaker, 4, Form::Firm),
        "i" if matches!(at(1), "need" | "have") && to(2) => is(Who::Speaker, 3, Form::Firm),
        "i" if at(1) == "can" => is(Who::Speaker, 2, Form::Offer),
        "i'm" if at(1) == "going" && to(2) => is(Who::Speaker, 3, Form::Firm),
        "let" if at(1) == "me" => is(Who::Speaker, 2, Form::Firm),
        "you'll" => is(Who::Addressee, 1, Form::Firm),
        "can" | "could" | "will" | "would" if at(1) == "you" => {
            is(Who::Addressee, 2, Form::Request)
        }
        "you" if matches!(at(1), "need" | "have") && to(2) => is(Who::Addressee, 3, Form::Firm),
        "you" if at(1) == "should" => is(Who::Addressee, 2, Form::Firm),
        // "Please send ..." asks; "..., please, and ..." is only polite.
        "please" if shown[i].ends_with(char::is_alphanumeric) => {
            is(Who::Addressee, 1, Form::Request)
        }
        "we" if matches!(at(1), "need" | "have") && to(2) => is(Who::Team, 3, Form::Firm),
        "we" if matches!(at(1), "should" | "must" | "will") => is(Who::Team, 2, Form::Firm),
        "we" if at(1) == "are" && at(2) == "going" && to(3) => is(Who::Team, 4, Form::Firm),
        "we'll" if at(1) == "need" && to(2) => is(Who::Team, 3, Form::Firm),
        "we'll" => is(Who::Team, 1, Form::Firm),
        "we're" if at(1) == "going" && to(2) => is(Who::Team, 3, Form::Firm),
        "let's" | "lets" => is(Who::Team, 1, Form::Firm),
        "action" if matches!(at(1), "item" | "items") => is(Who::Team, 2, Form::Firm),
        "follow" if at(1) == "up" => is(Who::Team, 0, Form::Firm),
        w => names.get(w).and_then(|id| match (at(1), at(2), at(3)) {
            ("will" | "should", _, _) => is(Who::Named(id), 2, Form::Firm),
            ("is", "going", "to") => is(Who::Named(id), 4, Form::Firm),
            ("needs" | "has", "to", _) => is(Who::Named(id), 3, Form::Firm),
            _ => None,
        }),
    };
    let (who, skip, form) = found?;
    // "I'll just also send ..." is the task "send ...".
    let mut task = i + skip;
    while words.get(task).is_some_and(|w| ADVERBS.contains(w)) {
        task += 1;
    }
    Some(Commitment { who, task, form })
}

fn has_cue(words: &[&str]) -> bool {
    CUES.iter().any(|c| find_phrase(words, c).is_some())
}

const CUES: &[&[&str]] = &[
    &["action", "item"],
    &["action", "items"],
    &["follow", "up"],
    &["to-do"],
    &["todo"],
    &["next", "step"],
    &["next", "steps"],
    &["homework"],
];

/// Verbs of talking in the meeting itself: "I'll show you" is not an action item.
static TALK_VERBS: WordSet = WordSet::new(
    "
    say talk tell show explain be read present repeat mention see think guess pass turn start stop
    leave come go put let have wait ask answer speak begin continue move give hear
    ",
);

/// Verbs that announce or comment ("I'll note that ...") and never start a task.
static NOT_ACTIONS: WordSet = WordSet::new(
    "
    note remind indicate suppose know assure highlight thank welcome repeat say mention point stress
    emphasize recall admit agree
    ",
);

/// Words between the modal and the task ("I'll just also send ...").
static ADVERBS: WordSet = WordSet::new(
    "
    just also probably definitely then actually maybe certainly quickly still really all mostly
    mind
    ",
);

/// Words that can start a commitment; a cheap test before the phrase matching.
static ANCHORS: WordSet = WordSet::new(
    "
    i'll i i'm let let's lets you'll you can could will would please we we'll we're action follow
    ",
);
