//! The plain-text part: the same content as the HTML part, in the same order, for clients
//! that show text only and for screen readers.

use super::digest::Digest;
use std::fmt::Write;

/// Characters of a talk-time bar at 100%.
const BAR_CHARS: f64 = 20.0;

pub(super) fn render(d: &Digest) -> String {
    let mut t = String::with_capacity(4 * 1024);
    let _ = writeln!(t, "MEETING SUMMARY: {}", d.title);
    let mut facts = vec![d.date.clone()];
    if !d.duration.is_empty() {
        facts.push(d.duration.clone());
    }
    match d.participants.len() {
        0 => {}
        1 => facts.push("1 participant".to_owned()),
        n => facts.push(format!("{n} participants")),
    }
    let _ = writeln!(t, "{}", facts.join(" · "));
    if !d.participants.is_empty() {
        let _ = writeln!(t, "Participants: {}", d.participants.join(", "));
    }
    let _ = writeln!(t, "Room: {}", d.room_url);
    if d.failed {
        let _ = writeln!(
            t,
            "\nThe bot could not finish this meeting: {}",
            d.error
                .as_deref()
                .unwrap_or("the meeting could not be processed.")
        );
    }
    if let Some(score) = d.score {
        let _ = writeln!(t, "\nMEETING SCORE: {score:.1} / 10");
        list(&mut t, "What went well", "+", &d.strengths);
        list(&mut t, "What to improve", "-", &d.weaknesses);
    }
    if !d.summary.trim().is_empty() {
        let _ = writeln!(t, "\nSUMMARY\n{}", d.summary);
    }
    if !d.actions.is_empty() {
        t.push_str("\nACTION ITEMS\n");
        for a in &d.actions {
            let owner = a
                .owner
                .as_deref()
                .map_or("no owner".to_owned(), |o| format!("owner {o}"));
            let due = a
                .due
                .as_deref()
                .map_or("no due date".to_owned(), |d| format!("due {d}"));
            let _ = writeln!(t, "- {} ({owner}, {due})", a.task);
        }
    }
    if !d.decisions.is_empty() {
        t.push('\n');
        list(&mut t, "DECISIONS", "-", &d.decisions);
    }
    if !d.qa.is_empty() {
        t.push_str("\nQUESTIONS AND ANSWERS\n");
        for q in &d.qa {
            let _ = writeln!(t, "Q: {}\nA: {}", q.question, q.answer);
            if let (Some(a), Some(b)) = (&q.asked_by, &q.answered_by) {
                let _ = writeln!(t, "   (asked by {a}, answered by {b})");
            }
        }
        if d.more_qa > 0 {
            let _ = writeln!(t, "… and {} more in the full results", d.more_qa);
        }
    }
    if !d.talk.is_empty() {
        t.push_str("\nWHO SPOKE HOW MUCH\n");
        let width = d
            .talk
            .iter()
            .map(|r| r.speaker.chars().count())
            .max()
            .unwrap_or(0);
        for r in &d.talk {
            let filled = (r.share * BAR_CHARS).round() as usize;
            let _ = writeln!(
                t,
                "{:<width$}  {}{}  {:>3}%  {:.0} min",
                r.speaker,
                "█".repeat(filled),
                "░".repeat(BAR_CHARS as usize - filled.min(BAR_CHARS as usize)),
                (r.share * 100.0).round() as u32,
                r.minutes.round()
            );
        }
    }
    if !d.excerpt.is_empty() {
        let _ = writeln!(t, "\nFROM THE TRANSCRIPT\n{}", d.excerpt.join("\n"));
    } else if d.failed {
        t.push_str("\nNo transcript is available for this meeting.\n");
    }
    if let Some(url) = &d.results_url {
        let _ = writeln!(t, "\nFull results: {url}");
    }
    let _ = writeln!(
        t,
        "\n--\nSent by {} for the meeting at {}. Bot id {}.",
        d.bot_name, d.room_url, d.bot_id
    );
    t
}

fn list(t: &mut String, title: &str, mark: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(t, "{title}");
    for item in items {
        let _ = writeln!(t, "{mark} {item}");
    }
}
