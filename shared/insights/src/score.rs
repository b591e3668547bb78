//! The meeting score (PailFlow's `overall_score`, `strengths`, `weaknesses`): how effective
//! the meeting was, from 0 to 10, from seven measured signals. Each signal's measure is
//! mapped linearly onto 0..1 between a poor level (0) and a good one (1), and weighted:
//!
//! | signal | measure | 0 at | 1 at | weight |
//! |---|---|---|---|---|
//! | talk balance | `(1 − top speaker's share of talk time) / (1 − 1/speakers)` | 0.4 | 0.9 | 1.5 |
//! | questions answered | answered / asked (no question: 0.5) | 55% | 90% | 1.5 |
//! | decisions | decisions / expected | 0 | 1 | 2.5 |
//! | action items | action items / expected | 0 | 1 | 1 |
//! | owners | action items with an owner / action items | 60% | 100% | 1 |
//! | due dates | action items with a due date / action items | 0% | 40% | 1 |
//! | focus | share of words that are not filler | 65% | 90% | 1.5 |
//!
//! `expected` is one per `MINUTES_PER_OUTCOME` minutes of meeting, at least one. The score is
//! the weighted sum, rounded to one decimal. A signal at `STRONG` or above is a strength, at
//! `WEAK` or below a weakness: one sentence naming the signal and its number and, where there
//! is one, an example the reader can find in the transcript. The levels were set on the QMSum
//! meetings (`make insights-scores`). Everything here is a fixed function of counts the
//! other products already made: deterministic, and linear in the meeting.

use domain::insights::{ActionItem, SpeakerStats};
use std::fmt::Write;

/// A signal's measure, where it scores 0 and 1, and its weight (the table above).
struct Scale {
    poor: f64,
    good: f64,
    weight: f64,
}

const BALANCE: Scale = Scale {
    poor: 0.4,
    good: 0.9,
    weight: 1.5,
};
const ANSWERED: Scale = Scale {
    poor: 0.55,
    good: 0.9,
    weight: 1.5,
};
const DECISIONS: Scale = Scale {
    poor: 0.0,
    good: 1.0,
    weight: 2.5,
};
const ACTIONS: Scale = Scale {
    poor: 0.0,
    good: 1.0,
    weight: 1.0,
};
const OWNERS: Scale = Scale {
    poor: 0.6,
    good: 1.0,
    weight: 1.0,
};
const DUE_DATES: Scale = Scale {
    poor: 0.0,
    good: 0.4,
    weight: 1.0,
};
const FOCUS: Scale = Scale {
    poor: 0.65,
    good: 0.9,
    weight: 1.5,
};

impl Scale {
    fn value(&self, measure: f64) -> f64 {
        ((measure - self.poor) / (self.good - self.poor)).clamp(0.0, 1.0)
    }
}

/// One decision and one action item are expected per this many minutes of meeting.
const MINUTES_PER_OUTCOME: f64 = 20.0;
/// A signal's value from which it is a strength, and up to which it is a weakness.
const STRONG: f64 = 0.75;
const WEAK: f64 = 0.4;
/// Strengths and weaknesses listed, each at most.
const MAX_POINTS: usize = 4;
/// Words of a quoted example.
const QUOTE_WORDS: usize = 14;

/// What the score is computed from: counts the engine's other products already made.
pub(crate) struct Signals<'a> {
    /// Sorted by talk time, most first.
    pub speakers: &'a [SpeakerStats],
    pub duration_seconds: f64,
    pub questions_asked: usize,
    pub questions_answered: usize,
    /// The question left open with the most content, and who asked it.
    pub open_question: Option<&'a (String, String)>,
    pub decisions: &'a [String],
    pub action_items: &'a [ActionItem],
    /// Words spoken, before cleaning.
    pub spoken_words: usize,
    /// Words of sentences that say something (at least one content word), after cleaning.
    pub substantive_words: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Score {
    pub overall: f64,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
}

/// One signal's value, weight, and what it says about the meeting when strong or weak.
struct Point {
    weight: f64,
    value: f64,
    strength: Option<String>,
    weakness: Option<String>,
}

impl Point {
    fn new(scale: &Scale, value: f64) -> Self {
        Point {
            weight: scale.weight,
            value,
            strength: None,
            weakness: None,
        }
    }

    fn strong(&self) -> bool {
        self.value >= STRONG
    }

    fn weak(&self) -> bool {
        self.value <= WEAK
    }
}

pub(crate) fn score(s: &Signals<'_>) -> Score {
    if s.spoken_words == 0 {
        return Score {
            overall: 0.0,
            strengths: Vec::new(),
            weaknesses: vec!["No words were recorded, so there is nothing to assess".to_owned()],
        };
    }
    let minutes = s.duration_seconds / 60.0;
    let expected = (minutes / MINUTES_PER_OUTCOME).max(1.0);
    let mut points = vec![
        balance(s.speakers),
        questions(s),
        decisions(s.decisions, expected, minutes),
    ];
    points.extend(actions(s.action_items, expected, minutes));
    points.push(focus(s.spoken_words, s.substantive_words));
    let total: f64 = points.iter().map(|p| p.weight * p.value).sum();
    // The largest contributions first, and the weaknesses that cost most; stable sorts, so
    // equal ones keep the table's order.
    let mut strong: Vec<(f64, &String)> = points
        .iter()
        .filter_map(|p| p.strength.as_ref().map(|t| (p.weight * p.value, t)))
        .collect();
    strong.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut weak: Vec<(f64, &String)> = points
        .iter()
        .filter_map(|p| p.weakness.as_ref().map(|t| (p.weight * (1.0 - p.value), t)))
        .collect();
    weak.sort_by(|a, b| b.0.total_cmp(&a.0));
    let listed = |v: Vec<(f64, &String)>| {
        v.into_iter()
            .take(MAX_POINTS)
            .map(|(_, t)| t.clone())
            .collect()
    };
    Score {
        overall: ((total * 10.0).round() / 10.0).clamp(0.0, 10.0),
        strengths: listed(strong),
        weaknesses: listed(weak),
    }
}

fn balance(speakers: &[SpeakerStats]) -> Point {
    let total: f64 = speakers.iter().map(|s| s.talk_time_seconds).sum();
    let Some(top) = speakers.first().filter(|_| total > 0.0) else {
        return Point::new(&BALANCE, 0.0);
    };
    let n = speakers.len();
    let pct = percent(top.talk_time_seconds / total);
    if n == 1 {
        let mut point = Point::new(&BALANCE, 0.0);
        point.weakness = Some(format!("Only {} spoke", top.speaker));
        return point;
    }
    let even = (1.0 - top.talk_time_seconds / total) / (1.0 - 1.0 / n as f64);
    let mut point = Point::new(&BALANCE, BALANCE.value(even));
    if point.strong() {
        point.strength = Some(format!(
            "Talk time was balanced: no one of the {n} speakers had more than {pct}% of it"
        ));
    } else if point.weak() {
        let others = match n - 1 {
            1 => "the other speaker had the rest".to_owned(),
            k => format!("the other {k} speakers shared the rest"),
        };
        point.weakness = Some(format!(
            "{} spoke {pct}% of the time; {others}",
            top.speaker
        ));
    }
    point
}

fn questions(s: &Signals<'_>) -> Point {
    let asked = s.questions_asked;
    let answered = s.questions_answered.min(asked);
    if asked == 0 {
        return Point::new(&ANSWERED, 0.5);
    }
    let mut point = Point::new(&ANSWERED, ANSWERED.value(answered as f64 / asked as f64));
    if point.strong() {
        point.strength = Some(format!("{answered} of {asked} questions were answered"));
    } else if point.weak() {
        let open = asked - answered;
        let mut text = format!(
            "{open} of {asked} question{} {} not answered",
            plural(asked),
            if open == 1 { "was" } else { "were" }
        );
        if let Some((question, asker)) = s.open_question {
            let _ = write!(text, ", e.g. {asker}: “{}”", quote(question));
        }
        point.weakness = Some(text);
    }
    point
}

fn decisions(decisions: &[String], expected: f64, minutes: f64) -> Point {
    let n = decisions.len();
    let mut point = Point::new(&DECISIONS, DECISIONS.value(n as f64 / expected));
    let was = if n == 1 {
        "decision was"
    } else {
        "decisions were"
    };
    match decisions.first() {
        None => point.weakness = Some(format!("No decision was recorded in {}", duration(minutes))),
        Some(first) if point.strong() => {
            point.strength = Some(format!("{n} {was} recorded, e.g. “{}”", quote(first)))
        }
        Some(_) if point.weak() => {
            point.weakness = Some(format!("Only {n} {was} recorded in {}", duration(minutes)))
        }
        Some(_) => {}
    }
    point
}

/// Three signals: how many action items were agreed, how many have an owner, how many a
/// due date. Without action items, owners and due dates score 0 and say nothing more.
fn actions(items: &[ActionItem], expected: f64, minutes: f64) -> [Point; 3] {
    let n = items.len();
    let mut agreed = Point::new(&ACTIONS, ACTIONS.value(n as f64 / expected));
    if n == 0 {
        agreed.weakness = Some(format!(
            "No action item was agreed in {}",
            duration(minutes)
        ));
        return [
            agreed,
            Point::new(&OWNERS, 0.0),
            Point::new(&DUE_DATES, 0.0),
        ];
    }
    if agreed.strong() {
        agreed.strength = Some(format!(
            "{n} action item{} {} agreed",
            plural(n),
            if n == 1 { "was" } else { "were" }
        ));
    } else if agreed.weak() {
        agreed.weakness = Some(format!(
            "Only {n} action item{} {} agreed in {}",
            plural(n),
            if n == 1 { "was" } else { "were" },
            duration(minutes)
        ));
    }
    let share = |k: usize| k as f64 / n as f64;
    let owned = items.iter().filter(|a| a.owner.is_some()).count();
    let mut owners = Point::new(&OWNERS, OWNERS.value(share(owned)));
    let dated = items.iter().filter(|a| a.due.is_some()).count();
    let mut due = Point::new(&DUE_DATES, DUE_DATES.value(share(dated)));
    // "All 5 action items have an owner", "4 of 5 …", "The action item has …".
    let having = |k: usize, what: &str| match n {
        1 => format!("The action item has {what}"),
        _ if k == n => format!("All {n} action items have {what}"),
        _ => format!("{k} of {n} action items {} {what}", has(k)),
    };
    if owners.strong() {
        owners.strength = Some(having(owned, "an owner"));
    } else if owners.weak() {
        let example = items
            .iter()
            .find(|a| a.owner.is_none())
            .map(|a| a.task.as_str());
        owners.weakness = Some(missing(n - owned, n, "owner", example));
    }
    if due.strong() {
        due.strength = Some(having(dated, "a due date"));
    } else if due.weak() {
        let example = items
            .iter()
            .find(|a| a.due.is_none())
            .map(|a| a.task.as_str());
        due.weakness = Some(missing(n - dated, n, "due date", example));
    }
    [agreed, owners, due]
}

/// "3 of 5 action items have no owner, e.g. “…”"; "None of the 4 action items has a due
/// date, e.g. “…”"; "The action item has no owner: “…”".
fn missing(k: usize, n: usize, what: &str, example: Option<&str>) -> String {
    let mut text = match (k, n) {
        (_, 1) => format!("The action item has no {what}"),
        (k, n) if k == n => {
            let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
                "an"
            } else {
                "a"
            };
            format!("None of the {n} action items has {article} {what}")
        }
        (k, n) => format!("{k} of {n} action items {} no {what}", has(k)),
    };
    if let Some(task) = example {
        let lead = if n == 1 { ":" } else { ", e.g." };
        let _ = write!(text, "{lead} “{}”", quote(task));
    }
    text
}

fn focus(spoken: usize, substantive: usize) -> Point {
    let filler = 1.0 - substantive.min(spoken) as f64 / spoken.max(1) as f64;
    let mut point = Point::new(&FOCUS, FOCUS.value(1.0 - filler));
    let pct = match percent(filler) {
        0 => "Less than 1".to_owned(),
        p => p.to_string(),
    };
    if point.strong() {
        point.strength = Some(format!(
            "{}{pct}% of the words were filler, false starts or bare acknowledgements",
            if pct.starts_with('L') { "" } else { "Only " }
        ));
    } else if point.weak() {
        point.weakness = Some(format!(
            "{pct}% of the words were filler, false starts or bare acknowledgements (“um”, “uh”, “yeah”)"
        ));
    }
    point
}

fn percent(share: f64) -> u32 {
    (share * 100.0).round() as u32
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn has(n: usize) -> &'static str {
    if n == 1 {
        "has"
    } else {
        "have"
    }
}

fn duration(minutes: f64) -> String {
    let m = minutes.round().max(1.0) as u64;
    format!("{m} minute{}", if m == 1 { "" } else { "s" })
}

/// A short quotation: at most `QUOTE_WORDS` words, without its closing full stop.
fn quote(text: &str) -> String {
    let short = crate::text::truncate_words(text, QUOTE_WORDS);
    short.trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests;
