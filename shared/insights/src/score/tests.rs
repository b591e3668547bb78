//! The score of each signal, and of whole meetings.

use super::*;
use crate::BuiltinEngine;
use domain::transcript::{Segment, Transcript};

fn speaker(name: &str, seconds: f64) -> SpeakerStats {
    SpeakerStats {
        speaker: name.into(),
        talk_time_seconds: seconds,
        word_count: (seconds * 2.5) as u64,
        share: 0.0,
    }
}

fn item(task: &str, owner: Option<&str>, due: Option<&str>) -> ActionItem {
    ActionItem {
        task: task.into(),
        owner: owner.map(Into::into),
        due: due.map(Into::into),
    }
}

/// A 20-minute meeting of four even speakers where every signal is at its best.
fn good() -> (Vec<SpeakerStats>, Vec<String>, Vec<ActionItem>) {
    let speakers = ["Ada", "Bob", "Cy", "Dana"]
        .iter()
        .map(|n| speaker(n, 300.0))
        .collect();
    let decisions = vec!["We decided to ship on Friday.".to_owned()];
    let items = vec![item("Send the report", Some("Bob"), Some("by Friday"))];
    (speakers, decisions, items)
}

fn signals<'a>(
    speakers: &'a [SpeakerStats],
    decisions: &'a [String],
    items: &'a [ActionItem],
) -> Signals<'a> {
    Signals {
        speakers,
        duration_seconds: 1200.0,
        questions_asked: 10,
        questions_answered: 10,
        open_question: None,
        decisions,
        action_items: items,
        spoken_words: 1000,
        substantive_words: 950,
    }
}

#[test]
fn a_meeting_good_on_every_signal_scores_10_with_only_strengths() {
    let (speakers, decisions, items) = good();
    let score = score(&signals(&speakers, &decisions, &items));
    assert_eq!(score.overall, 10.0);
    assert!(score.weaknesses.is_empty(), "{:?}", score.weaknesses);
    assert_eq!(score.strengths.len(), MAX_POINTS);
    assert_eq!(
        score.strengths[0],
        "1 decision was recorded, e.g. “We decided to ship on Friday”"
    );
}

#[test]
fn one_dominant_speaker_costs_the_balance_and_is_named_with_the_share() {
    let (_, decisions, items) = good();
    let speakers = vec![
        speaker("Dana", 610.0),
        speaker("Ada", 200.0),
        speaker("Bob", 190.0),
    ];
    let score = score(&signals(&speakers, &decisions, &items));
    // (1 − 0.61) / (1 − 1/3) = 0.585: 37% of the way from 0.4 to 0.9, of weight 1.5.
    assert_eq!(score.overall, 9.1);
    assert_eq!(
        score.weaknesses,
        ["Dana spoke 61% of the time; the other 2 speakers shared the rest"]
    );
    let two = [speaker("Ada", 800.0), speaker("Bob", 200.0)];
    assert_eq!(
        super::score(&signals(&two, &decisions, &items)).weaknesses,
        ["Ada spoke 80% of the time; the other speaker had the rest"]
    );
    let alone = [speaker("Ada", 100.0)];
    let score = super::score(&signals(&alone, &decisions, &items));
    assert_eq!(score.overall, 8.5);
    assert_eq!(score.weaknesses, ["Only Ada spoke"]);
}

#[test]
fn open_questions_are_counted_and_one_is_quoted_with_who_asked_it() {
    let (speakers, decisions, items) = good();
    let open = (
        "Who owns the release notes for the mobile app?".to_owned(),
        "Cy".to_owned(),
    );
    let mut s = signals(&speakers, &decisions, &items);
    (s.questions_asked, s.questions_answered) = (7, 4);
    s.open_question = Some(&open);
    let score = score(&s);
    // 4/7 = 57%: just above the 55% that scores 0.
    assert_eq!(score.overall, 8.6);
    assert_eq!(
        score.weaknesses,
        ["3 of 7 questions were not answered, e.g. Cy: “Who owns the release notes for the mobile app?”"]
    );
    s.questions_asked = 0;
    s.questions_answered = 0;
    assert_eq!(super::score(&s).overall, 9.3, "no question is neutral: 0.5");
}

#[test]
fn decisions_are_expected_one_per_twenty_minutes() {
    let (speakers, _, items) = good();
    let mut s = signals(&speakers, &[], &items);
    s.duration_seconds = 3600.0;
    let none = score(&s);
    assert!(none
        .weaknesses
        .contains(&"No decision was recorded in 60 minutes".to_owned()));
    let one = ["Let's go with the yellow case.".to_owned()];
    s.decisions = &one;
    let score = score(&s);
    assert!(score
        .weaknesses
        .contains(&"Only 1 decision was recorded in 60 minutes".to_owned()));
    // One of three expected: a third of the weight of 2.5 (the one action item, of three
    // expected, scores a third of its weight of 1 in both).
    assert_eq!((none.overall, score.overall), (6.8, 7.7));
}

#[test]
fn action_items_without_owner_or_due_date_are_counted_and_quoted() {
    let (speakers, decisions, _) = good();
    let items = [
        item("Update the onboarding slides", None, None),
        item("Send the report to legal", Some("Bob"), None),
        item("Call the vendor", None, None),
    ];
    let score = score(&signals(&speakers, &decisions, &items));
    assert_eq!(
        score.weaknesses,
        [
            "2 of 3 action items have no owner, e.g. “Update the onboarding slides”",
            "None of the 3 action items has a due date, e.g. “Update the onboarding slides”",
        ]
    );
    assert_eq!(score.overall, 8.0);
    let one = [item("Call the vendor", None, Some("tomorrow"))];
    let score = super::score(&signals(&speakers, &decisions, &one));
    assert_eq!(
        score.weaknesses,
        ["The action item has no owner: “Call the vendor”"]
    );
    assert_eq!(
        score.overall, 9.0,
        "one of one expected, dated, without owner"
    );
    let score = super::score(&signals(&speakers, &decisions, &[]));
    assert_eq!(
        score.weaknesses,
        ["No action item was agreed in 20 minutes"]
    );
    assert_eq!(
        score.overall, 7.0,
        "agreed, owners and due dates all score 0"
    );
}

#[test]
fn filler_costs_focus_and_its_share_is_named() {
    let (speakers, decisions, items) = good();
    let mut s = signals(&speakers, &decisions, &items);
    s.substantive_words = 650;
    let score = score(&s);
    assert_eq!(
        score.weaknesses,
        ["35% of the words were filler, false starts or bare acknowledgements (“um”, “uh”, “yeah”)"]
    );
    assert_eq!(score.overall, 8.5);
}

#[test]
fn nothing_said_scores_0() {
    let score = score(&Signals {
        speakers: &[],
        duration_seconds: 0.0,
        questions_asked: 0,
        questions_answered: 0,
        open_question: None,
        decisions: &[],
        action_items: &[],
        spoken_words: 0,
        substantive_words: 0,
    });
    assert_eq!(score.overall, 0.0);
    assert_eq!(score.weaknesses.len(), 1);
}

fn meeting(lines: &[(&str, &str)]) -> Transcript {
    Transcript(
        lines
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| Segment {
                speaker: (*speaker).into(),
                text: (*text).into(),
                start_ms: i as u64 * 4000,
                end_ms: i as u64 * 4000 + 3500,
            })
            .collect(),
    )
}

#[test]
fn the_engine_scores_a_meeting_the_same_every_time_from_what_it_found() {
    let t = meeting(&[
        (
            "Ada",
            "Good morning. When is the database migration planned?",
        ),
        ("Bob", "We plan to migrate the database on Thursday night."),
        ("Cy", "Who owns the release notes for the mobile app?"),
        ("Ada", "Um, uh, yeah."),
        (
            "Cy",
            "After the review we decided to keep the rubber buttons.",
        ),
        ("Bob", "I'll send the customer report to legal by Friday."),
    ]);
    let first = BuiltinEngine::new().analyze(&t).insights.unwrap();
    for _ in 0..3 {
        assert_eq!(BuiltinEngine::new().analyze(&t).insights.unwrap(), first);
    }
    assert!(first.strengths.contains(&"1 decision was recorded, e.g. “After the review we decided to keep the rubber buttons”".to_owned()), "{:?}", first.strengths);
    assert!(
        first.weaknesses.contains(
            &"1 of 2 questions was not answered, e.g. Cy: “Who owns the release notes for the mobile app?”"
                .to_owned()
        ),
        "{:?}",
        first.weaknesses
    );
    let score = first.overall_score.unwrap();
    assert!((0.0..=10.0).contains(&score), "{score}");
}
