//! The HTML part: one 600 px column of tables with inline styles (what Gmail, Outlook and
//! Apple Mail all render), bars drawn with table cells, colours that stay readable when a
//! client darkens the page, no images, no scripts, nothing loaded from anywhere. Every
//! string of the meeting or the customer goes through `escape_html`.

use super::digest::{Action, Digest, Qa, Talk};
use super::escape_html as e;
use std::fmt::Write;

/// The column's width: every table fits in it.
pub const WIDTH_PX: u32 = 600;

const PAGE: &str = "#eef1f5";
const CARD: &str = "#ffffff";
const SOFT: &str = "#f5f7fa";
const INK: &str = "#1f2933";
const MUTED: &str = "#5f6b7a";
const TRACK: &str = "#e1e6ed";
const BRAND: &str = "#1e3a5f";
const BAR: &str = "#3a6db0";
const GOOD: &str = "#2f7d4f";
const FAIR: &str = "#a86a12";
const POOR: &str = "#b83232";
const FONT: &str = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

/// Dark mode where the client supports it (Apple Mail, iOS Mail, Outlook.com); clients
/// that invert colours themselves get light text on the dark header band either way.
const STYLE: &str = "<style>\
:root{color-scheme:light dark;supported-color-schemes:light dark}\
@media (prefers-color-scheme:dark){\
.page{background-color:#11161c !important}.card{background-color:#1b222b !important}\
.soft{background-color:#242d38 !important}.ink{color:#e8edf3 !important}\
.muted{color:#a7b3c2 !important}.track{background-color:#37424f !important}\
.good{color:#5cc48a !important}.fair{color:#e0a243 !important}.poor{color:#f07a7a !important}}\
@media only screen and (max-width:620px){.pad{padding-left:18px !important;padding-right:18px !important}}\
</style>";

pub(super) fn render(d: &Digest) -> String {
    let mut h = String::with_capacity(16 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"color-scheme\" content=\"light dark\"><meta name=\"supported-color-schemes\" content=\"light dark\">\
<title>{title}</title>{STYLE}</head>\
<body class=\"page\" style=\"margin:0;padding:0;background-color:{PAGE};font-family:{FONT}\">",
        title = e(&d.title),
    );
    preheader(&mut h, d);
    let _ = write!(
        h,
        "<table role=\"presentation\" class=\"page\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"{PAGE}\" style=\"background-color:{PAGE}\"><tr><td align=\"center\" style=\"padding:24px 8px\">\
<table role=\"presentation\" class=\"card\" width=\"{WIDTH_PX}\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" bgcolor=\"{CARD}\" style=\"width:100%;max-width:{WIDTH_PX}px;background-color:{CARD};border-radius:10px;overflow:hidden\">"
    );
    header(&mut h, d);
    if d.failed {
        failure(&mut h, d);
    }
    if let Some(score) = d.score {
        score_card(&mut h, score, d);
    }
    if !d.summary.trim().is_empty() {
        section(&mut h, "Summary", |h| {
            let _ = write!(
                h,
                "<p class=\"ink\" style=\"margin:0;font-size:15px;line-height:23px;color:{INK}\">{}</p>",
                e(&d.summary)
            );
        });
    }
    if !d.actions.is_empty() {
        section(&mut h, "Action items", |h| {
            d.actions.iter().for_each(|a| action(h, a))
        });
    }
    if !d.decisions.is_empty() {
        section(&mut h, "Decisions", |h| {
            for decision in &d.decisions {
                bullet(h, "&#9670;", "muted", BAR, decision);
            }
        });
    }
    if !d.qa.is_empty() {
        section(&mut h, "Questions and answers", |h| {
            d.qa.iter().for_each(|q| qa(h, q));
            if d.more_qa > 0 {
                muted_line(h, &format!("and {} more in the full results", d.more_qa));
            }
        });
    }
    if !d.talk.is_empty() {
        section(&mut h, "Who spoke how much", |h| talk(h, &d.talk));
    }
    if !d.excerpt.is_empty() {
        section(&mut h, "From the transcript", |h| excerpt(h, &d.excerpt));
    } else if d.failed {
        section(&mut h, "Transcript", |h| {
            muted_line(h, "No transcript is available for this meeting.")
        });
    }
    if let Some(url) = &d.results_url {
        button(&mut h, url);
    }
    footer(&mut h, d);
    h.push_str("</table></td></tr></table></body></html>");
    h
}

/// The line inbox lists show after the subject; hidden in the message itself.
fn preheader(h: &mut String, d: &Digest) {
    let mut parts = Vec::new();
    if let Some(score) = d.score {
        parts.push(format!("Score {score:.1}/10"));
    }
    parts.push(count(d.actions.len(), "action item"));
    parts.push(count(d.decisions.len(), "decision"));
    if !d.duration.is_empty() {
        parts.push(d.duration.clone());
    }
    let _ = write!(
        h,
        "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:{PAGE}\">{}</div>",
        e(&parts.join(" · "))
    );
}

fn header(h: &mut String, d: &Digest) {
    let mut facts = vec![d.date.clone()];
    if !d.duration.is_empty() {
        facts.push(d.duration.clone());
    }
    if !d.participants.is_empty() {
        facts.push(count(d.participants.len(), "participant"));
    }
    let _ = write!(
        h,
        "<tr><td class=\"pad\" bgcolor=\"{BRAND}\" style=\"background-color:{BRAND};padding:28px 32px\">\
<div style=\"font-size:12px;line-height:16px;letter-spacing:1.5px;text-transform:uppercase;font-weight:700;color:#c3d2e6\">Meeting summary</div>\
<div style=\"font-size:26px;line-height:32px;font-weight:700;color:#ffffff;padding-top:6px\">{title}</div>\
<div style=\"font-size:14px;line-height:20px;color:#dde6f2;padding-top:8px\">{facts}</div>",
        title = e(&d.title),
        facts = e(&facts.join(" · ")),
    );
    if !d.participants.is_empty() {
        let _ = write!(
            h,
            "<div style=\"font-size:13px;line-height:19px;color:#c3d2e6;padding-top:4px\">{}</div>",
            e(&d.participants.join(", "))
        );
    }
    h.push_str("</td></tr>");
}

fn failure(h: &mut String, d: &Digest) {
    let why = d
        .error
        .as_deref()
        .unwrap_or("The meeting could not be processed.");
    let _ = write!(
        h,
        "<tr><td class=\"pad\" style=\"padding:24px 32px 0 32px\">\
<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
<td width=\"4\" bgcolor=\"{POOR}\" style=\"width:4px;background-color:{POOR};font-size:0;line-height:0\">&nbsp;</td>\
<td class=\"soft\" bgcolor=\"{SOFT}\" style=\"background-color:{SOFT};padding:12px 16px\">\
<div class=\"ink\" style=\"font-size:15px;line-height:21px;font-weight:700;color:{INK}\">The bot could not finish this meeting</div>\
<div class=\"ink\" style=\"font-size:14px;line-height:20px;color:{INK};padding-top:4px\">{}</div></td></tr></table></td></tr>",
        e(why)
    );
}

fn score_card(h: &mut String, score: f64, d: &Digest) {
    let (colour, tone, verdict) = match score {
        s if s >= 7.5 => (GOOD, "good", "An effective meeting"),
        s if s >= 5.0 => (FAIR, "fair", "A meeting with room to improve"),
        _ => (POOR, "poor", "A meeting that fell short"),
    };
    section(h, "Meeting score", |h| {
        let _ = write!(
            h,
            "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
<td width=\"112\" valign=\"top\" style=\"width:112px\">\
<div class=\"{tone}\" style=\"font-size:44px;line-height:48px;font-weight:800;color:{colour}\">{score:.1}</div>\
<div class=\"muted\" style=\"font-size:13px;line-height:18px;color:{MUTED}\">out of 10</div></td>\
<td valign=\"top\" style=\"padding-top:6px\">\
<div class=\"ink\" style=\"font-size:16px;line-height:22px;font-weight:700;color:{INK}\">{verdict}</div>\
<div style=\"padding-top:10px\">"
        );
        bar(h, score / 10.0, colour, 10);
        let _ = write!(
            h,
            "</div><div class=\"muted\" style=\"font-size:12px;line-height:17px;color:{MUTED};padding-top:8px\">\
From talk balance, questions answered, decisions, action items with owners and due dates, and filler.</div>\
</td></tr></table>"
        );
        if !d.strengths.is_empty() {
            subheading(h, "What went well");
            for s in &d.strengths {
                bullet(h, "&#10003;", "good", GOOD, s);
            }
        }
        if !d.weaknesses.is_empty() {
            subheading(h, "What to improve");
            for w in &d.weaknesses {
                bullet(h, "!", "fair", FAIR, w);
            }
        }
    });
}

/// A horizontal bar: `share` of the width in `colour`, the rest the track.
fn bar(h: &mut String, share: f64, colour: &str, height: u32) {
    let filled = (share.clamp(0.0, 1.0) * 100.0).round() as u32;
    let _ = write!(
        h,
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>"
    );
    let cell = "font-size:0;line-height:0";
    if filled > 0 {
        let _ = write!(
            h,
            "<td width=\"{filled}%\" height=\"{height}\" bgcolor=\"{colour}\" style=\"width:{filled}%;height:{height}px;background-color:{colour};border-radius:3px 0 0 3px;{cell}\">&nbsp;</td>"
        );
    }
    if filled < 100 {
        let _ = write!(
            h,
            "<td class=\"track\" width=\"{rest}%\" height=\"{height}\" bgcolor=\"{TRACK}\" style=\"width:{rest}%;height:{height}px;background-color:{TRACK};border-radius:0 3px 3px 0;{cell}\">&nbsp;</td>",
            rest = 100 - filled
        );
    }
    h.push_str("</tr></table>");
}

fn action(h: &mut String, a: &Action) {
    let owner = match &a.owner {
        Some(o) => format!("Owner: <strong>{}</strong>", e(o)),
        None => "No owner".to_owned(),
    };
    let due = match &a.due {
        Some(d) => format!("Due {}", e(d)),
        None => "No due date".to_owned(),
    };
    let _ = write!(
        h,
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"margin:0 0 8px 0\"><tr>\
<td width=\"4\" bgcolor=\"{BAR}\" style=\"width:4px;background-color:{BAR};font-size:0;line-height:0\">&nbsp;</td>\
<td class=\"soft\" bgcolor=\"{SOFT}\" style=\"background-color:{SOFT};padding:10px 14px\">\
<div class=\"ink\" style=\"font-size:15px;line-height:21px;font-weight:600;color:{INK}\">{task}</div>\
<div class=\"muted\" style=\"font-size:13px;line-height:19px;color:{MUTED};padding-top:2px\">{owner} &middot; {due}</div>\
</td></tr></table>",
        task = e(&a.task),
    );
}

fn qa(h: &mut String, q: &Qa) {
    let _ = write!(
        h,
        "<div style=\"margin:0 0 14px 0\">\
<div class=\"ink\" style=\"font-size:15px;line-height:21px;font-weight:600;color:{INK}\">{}</div>\
<div class=\"ink\" style=\"font-size:14px;line-height:21px;color:{INK};padding-top:2px\">{}</div>",
        e(&q.question),
        e(&q.answer)
    );
    let who = match (&q.asked_by, &q.answered_by) {
        (Some(a), Some(b)) => format!("Asked by {a}, answered by {b}"),
        (Some(a), None) => format!("Asked by {a}"),
        (None, Some(b)) => format!("Answered by {b}"),
        (None, None) => String::new(),
    };
    if !who.is_empty() {
        let _ = write!(
            h,
            "<div class=\"muted\" style=\"font-size:12px;line-height:17px;color:{MUTED};padding-top:2px\">{}</div>",
            e(&who)
        );
    }
    h.push_str("</div>");
}

fn talk(h: &mut String, rows: &[Talk]) {
    h.push_str("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\">");
    for r in rows {
        let _ = write!(
            h,
            "<tr><td class=\"ink\" width=\"32%\" valign=\"middle\" style=\"width:32%;font-size:14px;line-height:19px;color:{INK};padding:5px 10px 5px 0;word-break:break-word\">{}</td>\
<td width=\"46%\" valign=\"middle\" style=\"width:46%;padding:5px 0\">",
            e(&r.speaker)
        );
        bar(h, r.share, BAR, 12);
        let _ = write!(
            h,
            "</td><td class=\"muted\" width=\"22%\" align=\"right\" valign=\"middle\" style=\"width:22%;font-size:13px;line-height:19px;color:{MUTED};padding:5px 0 5px 10px;white-space:nowrap\">{}% &middot; {}</td></tr>",
            (r.share * 100.0).round() as u32,
            minutes(r.minutes)
        );
    }
    h.push_str("</table>");
}

fn excerpt(h: &mut String, lines: &[String]) {
    let _ = write!(
        h,
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
<td class=\"soft\" bgcolor=\"{SOFT}\" style=\"background-color:{SOFT};padding:14px 16px;border-radius:6px\">"
    );
    for line in lines {
        let (speaker, words) = match line.split_once(": ") {
            Some((s, w)) => (s, w),
            None => ("", line.as_str()),
        };
        let _ = write!(
            h,
            "<div class=\"ink\" style=\"font-size:13px;line-height:19px;color:{INK};margin:0 0 6px 0\">"
        );
        if !speaker.is_empty() {
            let _ = write!(h, "<strong>{}:</strong> ", e(speaker));
        }
        let _ = write!(h, "{}</div>", e(words));
    }
    h.push_str("</td></tr></table>");
}

fn button(h: &mut String, url: &str) {
    let _ = write!(
        h,
        "<tr><td class=\"pad\" style=\"padding:28px 32px 0 32px\">\
<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
<td bgcolor=\"{BRAND}\" style=\"background-color:{BRAND};border-radius:6px\">\
<a href=\"{url}\" style=\"display:inline-block;padding:12px 22px;font-size:15px;line-height:20px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px\">View the full results</a>\
</td></tr></table></td></tr>",
        url = e(url)
    );
}

fn footer(h: &mut String, d: &Digest) {
    let _ = write!(
        h,
        "<tr><td class=\"pad\" style=\"padding:28px 32px 28px 32px\">\
<div style=\"border-top:1px solid {TRACK};padding-top:16px\"></div>\
<div class=\"muted\" style=\"font-size:12px;line-height:18px;color:{MUTED}\">\
Sent by {bot} for the meeting at <a href=\"{room}\" style=\"color:{MUTED}\">{room}</a>. \
Bot id {id}.</div></td></tr>",
        bot = e(&d.bot_name),
        room = e(&d.room_url),
        id = d.bot_id,
    );
}

/// A section of the column: a small heading, then `body`.
fn section(h: &mut String, title: &str, body: impl FnOnce(&mut String)) {
    let _ = write!(
        h,
        "<tr><td class=\"pad\" style=\"padding:26px 32px 0 32px\">\
<div class=\"muted\" style=\"font-size:12px;line-height:16px;letter-spacing:1.2px;text-transform:uppercase;font-weight:700;color:{MUTED};padding-bottom:10px\">{}</div>",
        e(title)
    );
    body(h);
    h.push_str("</td></tr>");
}

fn subheading(h: &mut String, title: &str) {
    let _ = write!(
        h,
        "<div class=\"ink\" style=\"font-size:14px;line-height:20px;font-weight:700;color:{INK};padding:16px 0 6px 0\">{}</div>",
        e(title)
    );
}

/// One line of a list: a coloured mark (`tone` is its dark-mode class), then the text.
fn bullet(h: &mut String, mark: &str, tone: &str, colour: &str, text: &str) {
    let _ = write!(
        h,
        "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr>\
<td class=\"{tone}\" width=\"22\" valign=\"top\" style=\"width:22px;font-size:14px;line-height:21px;font-weight:700;color:{colour}\">{mark}</td>\
<td class=\"ink\" valign=\"top\" style=\"font-size:14px;line-height:21px;color:{INK};padding-bottom:6px\">{}</td></tr></table>",
        e(text)
    );
}

fn muted_line(h: &mut String, text: &str) {
    let _ = write!(
        h,
        "<div class=\"muted\" style=\"font-size:13px;line-height:19px;color:{MUTED}\">{}</div>",
        e(text)
    );
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

fn minutes(m: f64) -> String {
    if m < 1.0 {
        format!("{} s", (m * 60.0).round() as u32)
    } else {
        format!("{} min", m.round() as u32)
    }
}
