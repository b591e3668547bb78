//! The reader's pieces and cut, and the analysis of hostile transcripts: each shape is
//! analysed to a result, and those past the work budget say so in `insights_error`.

use super::*;
use crate::BuiltinEngine;
use domain::insights::Analysis;

/// The API's limits on a reported transcript.
const REPORT_BYTES: usize = 5 * 1024 * 1024;
const SEGMENT_CHARS: usize = 20_000;

fn segment(speaker: &str, text: String) -> Segment {
    Segment {
        speaker: speaker.into(),
        text,
        start_ms: 0,
        end_ms: 0,
    }
}

/// `unit` said over and over by one speaker, `bytes` of text in segments of the largest
/// size the API takes.
fn one_speaker_repeating(unit: &str, bytes: usize) -> Transcript {
    let per_segment = unit.repeat(SEGMENT_CHARS / unit.len());
    let segments = (0..bytes / per_segment.len())
        .map(|_| segment("Mallory", per_segment.clone()))
        .collect();
    Transcript(segments)
}

fn analyze(t: &Transcript) -> Analysis {
    BuiltinEngine::new().analyze(t)
}

fn assert_cut_short(analysis: &Analysis) {
    let insights = analysis.insights.as_ref().expect("insights are produced");
    let error = analysis
        .insights_error
        .as_deref()
        .expect("the cut is reported");
    assert_eq!(error, too_long_message(insights.word_count));
}

fn pieces(segments: &[Segment], units: usize) -> (Vec<String>, Option<Cut>) {
    let mut reader = TurnReader::new(segments, units);
    let mut out = String::new();
    let mut pieces = Vec::new();
    while reader.next_piece(&mut out).is_some() {
        pieces.push(out.clone());
    }
    (pieces, reader.cut())
}

#[test]
fn turns_are_read_whole_within_the_piece_limit() {
    let segments = [
        segment("Ada", "Hello all.".into()),
        segment("Ada", "Shall we start?".into()),
        segment("Bob", "Yes.".into()),
    ];
    let (pieces, cut) = pieces(&segments, WORK_BUDGET);
    assert_eq!(pieces, ["Hello all. Shall we start? ", "Yes. "]);
    assert_eq!(cut, None);
}

#[test]
fn long_turns_are_read_in_pieces_ending_at_a_whitespace() {
    let word = "abcdefg ";
    let segments = vec![segment("Ada", word.repeat(10_000)); 2];
    let (pieces, cut) = pieces(&segments, WORK_BUDGET);
    assert_eq!(cut, None);
    assert!(pieces.iter().all(|p| p.len() <= MAX_PIECE_BYTES));
    let words: usize = pieces.iter().map(|p| p.split_whitespace().count()).sum();
    assert_eq!(words, 20_000);
    assert!(pieces
        .iter()
        .flat_map(|p| p.split_whitespace())
        .all(|w| w == "abcdefg"));
}

#[test]
fn reading_stops_at_the_budget_at_a_whitespace() {
    let segments = [
        segment("Ada", "one two three".into()),
        segment("Bob", "four five six".into()),
    ];
    let units = 2 * SEGMENT_UNITS + "Ada".len() + 13 + "Bob".len() + "four fi".len();
    let (pieces, cut) = pieces(&segments, units);
    assert_eq!(pieces, ["one two three ", "four "]);
    let cut = cut.expect("the budget ran out");
    assert_eq!(
        cut,
        Cut {
            segment: 1,
            bytes: 4
        }
    );
    let read = cut.apply(&Transcript(segments.to_vec()));
    assert_eq!(read.to_text(), "Ada: one two three\nBob: four");
}

#[test]
fn a_four_hour_meeting_needs_under_a_quarter_of_the_budget() {
    let lines = [
        (
            "Ada",
            "Let's review the roadmap of team {n} and the open hiring questions?",
        ),
        (
            "Bob",
            "Uh , the the checkout redesign {n} ships next week, and we decided to keep the API.",
        ),
        (
            "Cy",
            "I'll draft migration guide {n} for partners by Friday {vocalsound} .",
        ),
    ];
    let segments: Vec<Segment> = (0..40_000 / 36)
        .flat_map(|round| {
            lines.map(|(speaker, line)| segment(speaker, line.replace("{n}", &round.to_string())))
        })
        .collect();
    let t = Transcript(segments);
    assert!(t.word_count() >= 40_000);
    let whole = BuiltinEngine::new().analyze_within(&t, WORK_BUDGET / 4);
    assert_eq!(whole.insights_error, None);
    assert_eq!(whole, analyze(&t));
}

#[test]
fn unclosed_brackets_are_dropped_alone() {
    let t = one_speaker_repeating("{ plan [ budget ", 1024 * 1024);
    let analysis = analyze(&t);
    assert_eq!(analysis.insights_error, None);
    let insights = analysis.insights.unwrap();
    assert_eq!(insights.keywords[..2], ["plan", "budget"]);

    let analysis = analyze(&one_speaker_repeating("{", REPORT_BYTES));
    assert_cut_short(&analysis);
    assert_eq!(analysis.insights.unwrap().word_count, 0);
}

#[test]
fn clitic_runs_do_not_grow_a_word() {
    let t = one_speaker_repeating("it 's 's 's 's 's 's 's 's 's 's 's 's 's 's ", 1024 * 1024);
    let analysis = analyze(&t);
    assert_eq!(analysis.insights_error, None);
    assert_eq!(analysis.insights.unwrap().speakers.len(), 1);

    let glued = one_speaker_repeating("'s", REPORT_BYTES);
    assert_cut_short(&analyze(&glued));
    assert_cut_short(&analyze(&one_speaker_repeating("word 's ", REPORT_BYTES)));
}

#[test]
fn filler_runs_leave_nothing_to_show() {
    let analysis = analyze(&one_speaker_repeating("um ", REPORT_BYTES));
    assert_cut_short(&analysis);
    assert_eq!(analysis.insights.unwrap().summary, "");

    // A sentence end on a filler moves to the last word, past any number of restart marks.
    let t = one_speaker_repeating("{disfmarker} um. ", 1024 * 1024);
    let analysis = analyze(&t);
    assert_eq!(analysis.insights_error, None);
    assert!(analysis.qa_pairs.is_empty());
}

#[test]
fn an_unpunctuated_turn_is_cut_into_sentences_and_at_the_budget() {
    let t = one_speaker_repeating("alpha beta gamma delta epsilon ", REPORT_BYTES);
    let analysis = analyze(&t);
    assert_cut_short(&analysis);
    let insights = analysis.insights.unwrap();
    assert!(insights.word_count > 500_000 && (insights.word_count as usize) < t.word_count());
    assert_eq!(insights.keywords.len(), 5);
    assert_eq!(insights.speakers.len(), 1);

    let one_segment = Transcript(vec![segment("Mallory", "alpha ".repeat(REPORT_BYTES / 6))]);
    assert_cut_short(&analyze(&one_segment));
}

#[test]
fn a_hundred_thousand_speakers_are_read_as_far_as_the_budget_goes() {
    let segments: Vec<Segment> = (0..100_000)
        .map(|i| {
            segment(
                &format!("Speaker {i}"),
                format!("Point {i} is settled now."),
            )
        })
        .collect();
    let analysis = analyze(&Transcript(segments));
    assert_cut_short(&analysis);
    let speakers = analysis.insights.unwrap().speakers;
    assert_eq!(
        speakers.len(),
        crate::stats::MAX_SPEAKERS,
        "the list is bounded"
    );
    let folded: u64 = speakers
        .last()
        .unwrap()
        .speaker
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        folded > 10_000 && folded < 100_000,
        "read as far as the budget goes: {folded} folded"
    );
}

#[test]
fn repeated_segments_of_one_speaker_are_one_turn_read_to_the_budget() {
    let segments = vec![segment("Mallory", "I think the the plan is fine.".into()); 100_000];
    let analysis = analyze(&Transcript(segments));
    assert_cut_short(&analysis);
    let insights = analysis.insights.unwrap();
    assert!(insights.summary.starts_with("I think the plan is fine."));
    assert_eq!(insights.speakers.len(), 1);
}

#[test]
fn the_cut_is_the_same_on_every_run() {
    let t = one_speaker_repeating("we decided to ship it by Friday ", REPORT_BYTES);
    assert_eq!(analyze(&t), analyze(&t));
}
