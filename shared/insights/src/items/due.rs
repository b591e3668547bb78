//! Deadlines as said in a sentence: "by Friday", "next week", "by the end of the month",
//! "on March 3rd", "2025-06-01".

use crate::hash::WordSet;

/// The deadline said in a sentence, in the speaker's words: "by Friday", "next week",
/// "by the end of the month", "on March 3rd", "2025-06-01".
pub(super) fn due_phrase(words: &[&str], shown: &[&str]) -> Option<String> {
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
    use crate::text;

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
}
