//! Action items (who does what, by when) and decisions, found by the phrases people use
//! to commit, ask and conclude ("I'll ...", "can you ...", "we decided ...").

use super::doc::Document;
use super::hash::{FastMap, FastSet, WordSet};
use super::text;
use domain::insights::ActionItem;

const MAX_ACTIONS: usize = 10;
const MAX_DECISIONS: usize = 10;
const MIN_TASK_WORDS: usize = 3;
const MAX_TASK_WORDS: usize = 25;
const MAX_DECISION_WORDS: usize = 40;

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

pub(crate) fn decisions(doc: &Document) -> Vec<String> {
    let mut found: Vec<(u32, usize, String)> = Vec::new();
    let mut seen: FastSet<String> = FastSet::default();
    let mut words: Vec<&str> = Vec::new();
    for (i, s) in doc.sentences.iter().enumerate() {
        if s.clean.question || !s.clean.norms.split(' ').any(|w| DECISION_KEYS.contains(w)) {
            continue;
        }
        words.clear();
        words.extend(s.clean.norms.split(' '));
        let decided = DECISION_PHRASES.iter().any(|p| {
            find_phrase(&words, p).is_some_and(|at| {
                !words[at.saturating_sub(3)..at]
                    .iter()
                    .any(|w| NEGATIONS.contains(w))
            })
        });
        if !decided {
            continue;
        }
        let text = text::truncate_words(&s.clean.text, MAX_DECISION_WORDS);
        if !seen.insert(text.to_lowercase()) {
            continue;
        }
        found.push((s.terms.len() as u32, i, text));
    }
    keep_best(found, MAX_DECISIONS)
}

/// The `max` highest-scored, shown in meeting order.
fn keep_best<T>(mut found: Vec<(u32, usize, T)>, max: usize) -> Vec<T> {
    if found.len() > max {
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(max);
        found.sort_by_key(|f| f.1);
    }
    found.into_iter().map(|f| f.2).collect()
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

/// Participants' first names, for "Maria will ...": the first word of a speaker label, when
/// it is a name and not a role ("Project Manager") and no other label starts with it.
struct Names {
    ids: FastMap<String, usize>,
    /// First bytes of the names: most words start with none of them and are not hashed.
    starts: [bool; 256],
}

impl Names {
    fn new(speakers: &[String]) -> Self {
        let mut ids: FastMap<String, Option<usize>> = FastMap::default();
        for (id, label) in speakers.iter().enumerate() {
            let Some(first) = label.split_whitespace().next() else {
                continue;
            };
            if !first.starts_with(char::is_uppercase) {
                continue;
            }
            let name = text::normalize(first).into_owned();
            if name.chars().count() < 3 || text::is_stopword(&name) || ROLES.contains(&name) {
                continue;
            }
            // A first name two participants share names neither.
            ids.entry(name)
                .and_modify(|v| *v = None)
                .or_insert(Some(id));
        }
        let ids: FastMap<String, usize> = ids
            .into_iter()
            .filter_map(|(n, id)| Some((n, id?)))
            .collect();
        let mut starts = [false; 256];
        for name in ids.keys() {
            starts[usize::from(name.as_bytes()[0])] = true;
        }
        Names { ids, starts }
    }

    fn get(&self, word: &str) -> Option<usize> {
        let first = *word.as_bytes().first()?;
        if !self.starts[usize::from(first)] {
            return None;
        }
        self.ids.get(word).copied()
    }
}

fn has_cue(words: &[&str]) -> bool {
    CUES.iter().any(|c| find_phrase(words, c).is_some())
}

/// Where `phrase` starts in `words`.
fn find_phrase(words: &[&str], phrase: &[&str]) -> Option<usize> {
    if phrase.is_empty() || words.len() < phrase.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| words[i..i + phrase.len()] == *phrase)
}

/// The deadline said in a sentence, in the speaker's words: "by Friday", "next week",
/// "by the end of the month", "on March 3rd", "2025-06-01".
pub(crate) fn due_phrase(words: &[&str], shown: &[&str]) -> Option<String> {
    let n = words.len();
    for i in 0..n {
        let w = words[i];
        let at = |k: usize| words.get(i + k).copied().unwrap_or("");
        let lead = i > 0
            && matches!(
                words[i - 1],
                "by" | "before" | "until" | "till" | "on" | "due"
            );
        let from = if lead { i - 1 } else { i };
        let len = match w {
            "tomorrow" | "tonight" | "eod" | "asap" => Some(1),
            "today" if lead => Some(1),
            "next" if PERIODS.contains(at(1)) || WEEKDAYS.contains(at(1)) || at(1) == "meeting" => {
                Some(2)
            }
            "this"
                if PERIODS.contains(at(1))
                    || WEEKDAYS.contains(at(1))
                    || matches!(at(1), "afternoon" | "evening") =>
            {
                Some(2)
            }
            "end" if at(1) == "of" => {
                let k = if at(2) == "the" || at(2) == "this" || at(2) == "next" {
                    3
                } else {
                    2
                };
                PERIODS.contains(at(k)).then_some(k + 1)
            }
            "the" if at(1) == "end" && at(2) == "of" => {
                let k = if matches!(at(3), "the" | "this" | "next") {
                    4
                } else {
                    3
                };
                PERIODS.contains(at(k)).then_some(k + 1)
            }
            "in" if (is_number(at(1)) || at(1) == "a" || at(1) == "two")
                && SPANS.contains(at(2)) =>
            {
                Some(3)
            }
            _ if WEEKDAYS.contains(w) && lead => Some(1),
            _ if MONTHS.contains(w) => {
                Some(if is_day_number(at(1)) { 2 } else { 1 }).filter(|&l| l == 2 || lead)
            }
            _ if is_day_number(w) && at(1) == "of" && MONTHS.contains(at(2)) => Some(3),
            _ if is_date(w) => Some(1),
            _ => None,
        };
        if let Some(len) = len {
            // "by the end of ..." starts at "by", which the "the" branch sees as its lead.
            let end = (i + len).min(n);
            let phrase = shown[from..end].join(" ");
            return Some(
                phrase
                    .trim_end_matches(['.', '?', '!', ',', ';', ':'])
                    .to_owned(),
            );
        }
    }
    None
}

fn is_number(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit())
}

/// "3", "3rd", "21st".
fn is_day_number(w: &str) -> bool {
    let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &w[digits.len()..];
    !digits.is_empty()
        && digits.len() <= 2
        && digits.bytes().all(|b| b.is_ascii_digit())
        && matches!(suffix, "" | "st" | "nd" | "rd" | "th")
}

/// "2025-06-01", "6/1", "06/01/2025".
fn is_date(w: &str) -> bool {
    let parts: Vec<&str> = w.split(['-', '/']).collect();
    let numeric = parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()));
    let day_month = |p: &str| p.len() <= 2 && p.parse::<u32>().is_ok_and(|v| (1..=31).contains(&v));
    numeric
        && (parts.len() == 3
            || (parts.len() == 2 && w.contains('/') && parts.iter().all(|p| day_month(p))))
}

/// Phrases that mark a decision, as lower-case words.
const DECISION_PHRASES: &[&[&str]] = &[
    &["we", "decided"],
    &["we've", "decided"],
    &["we", "have", "decided"],
    &["decided", "to"],
    &["decided", "that"],
    &["decided", "on"],
    &["we", "agreed"],
    &["we've", "agreed"],
    &["we", "have", "agreed"],
    &["agreed", "to"],
    &["agreed", "that"],
    &["agreed", "on"],
    &["we", "all", "agree"],
    &["let's", "go", "with"],
    &["lets", "go", "with"],
    &["we'll", "go", "with"],
    &["we", "will", "go", "with"],
    &["we're", "going", "with"],
    &["we", "are", "going", "with"],
    &["go", "with", "the"],
    &["the", "decision", "is"],
    &["the", "decision", "was"],
    &["final", "decision"],
    &["it's", "decided"],
    &["settled", "on"],
    &["let's", "stick", "with"],
    &["we'll", "stick", "with"],
];

/// Words at least one decision phrase contains; a cheap test before the phrase matching.
static DECISION_KEYS: WordSet = WordSet::new(
    "
    decided agreed agree go decision settled stick
    ",
);

/// Words that, just before a decision phrase, undo it ("we haven't decided").
static NEGATIONS: WordSet = WordSet::new(
    "
    not haven't hasn't didn't don't never hadn't weren't wasn't no if whether
    ",
);

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

/// First words of speaker labels that are roles, not names.
static ROLES: WordSet = WordSet::new(
    "
    project marketing industrial user grad professor postdoc phd speaker chair member participant
    guest host unknown moderator interviewer interviewee presenter facilitator mr mrs ms dr hon the
    prof sir madam lady lord
    ",
);

/// Words that can start a commitment; a cheap test before the phrase matching.
static ANCHORS: WordSet = WordSet::new(
    "
    i'll i i'm let let's lets you'll you can could will would please we we'll we're action follow
    ",
);

static WEEKDAYS: WordSet = WordSet::new(
    "
    monday tuesday wednesday thursday friday saturday sunday
    ",
);

/// What "next", "this" and "the end of" can point to.
static PERIODS: WordSet = WordSet::new(
    "
    day week weekend month quarter year sprint
    ",
);

/// What "in two ..." can count.
static SPANS: WordSet = WordSet::new(
    "
    day days week weeks month months hour hours
    ",
);

/// Month names; "may" is left out, it is far more often the verb.
static MONTHS: WordSet = WordSet::new(
    "
    january february march april june july august september october november december
    ",
);

#[cfg(test)]
mod tests {
    use super::*;

    fn due(sentence: &str) -> Option<String> {
        let shown: Vec<&str> = sentence.split(' ').collect();
        let norms: Vec<String> = shown
            .iter()
            .map(|w| text::normalize(w).into_owned())
            .collect();
        let words: Vec<&str> = norms.iter().map(String::as_str).collect();
        due_phrase(&words, &shown)
    }

    #[test]
    fn due_phrases_are_quoted_as_said() {
        assert_eq!(due("I'll send it by Friday.").as_deref(), Some("by Friday"));
        assert_eq!(
            due("We ship next week, hopefully.").as_deref(),
            Some("next week")
        );
        assert_eq!(
            due("Done by the end of the month.").as_deref(),
            Some("by the end of the month")
        );
        assert_eq!(due("Call her tomorrow.").as_deref(), Some("tomorrow"));
        assert_eq!(
            due("The review is on March 3rd.").as_deref(),
            Some("on March 3rd")
        );
        assert_eq!(
            due("Deadline 2025-06-01 for all.").as_deref(),
            Some("2025-06-01")
        );
        assert_eq!(due("Back in two weeks.").as_deref(), Some("in two weeks"));
        assert_eq!(due("We march on, fifty/fifty."), None);
        assert_eq!(due("This meeting is long."), None);
    }

    #[test]
    fn names_skip_roles_and_shared_first_names() {
        let speakers = [
            "Maria Lopez",
            "Project Manager",
            "Tom A",
            "Tom B",
            "Grad C",
            "ana",
        ]
        .map(String::from);
        let names = Names::new(&speakers);
        assert_eq!(names.ids.len(), 1);
        assert_eq!(names.get("maria"), Some(0));
    }
}
