//! The result email: summary, insights, Q&A pairs and a transcript excerpt, as plain text
//! and as HTML. Every customer- or meeting-supplied string is HTML-escaped in the HTML part;
//! header values (the subject) are made single-line.

use crate::ports::{OutgoingEmail, SessionView};
use domain::plain_text::one_line;
use domain::Phase;
use std::fmt::Write;

const EXCERPT_CHARS: usize = 3_000;
const MAX_QA_IN_EMAIL: usize = 10;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The longest bot name a subject shows.
const MAX_NAME_CHARS: usize = 60;

/// The subject, in a fixed format where only the bot's name varies: one plain line of at
/// most 60 characters, without control or bidirectional-override characters, so neither
/// headers nor a misleading text can be smuggled in through `bot_config.name`.
pub fn subject(bot_name: Option<&str>, failed: bool) -> String {
    let name = bot_name
        .map(|n| one_line(n, MAX_NAME_CHARS))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "Meeting bot".to_owned());
    if failed {
        format!("{name}: the meeting could not be processed")
    } else {
        format!("{name}: meeting summary")
    }
}

pub fn compose(view: &SessionView) -> OutgoingEmail {
    let s = &view.session;
    let failed = s.phase == Phase::Failed;
    let subject = subject(s.bot_config.get("name").and_then(|v| v.as_str()), failed);
    let insights = view.analysis.as_ref().and_then(|a| a.insights.as_ref());
    let qa = view
        .analysis
        .as_ref()
        .map(|a| a.qa_pairs.as_slice())
        .unwrap_or_default();
    let excerpt = view
        .transcript
        .as_ref()
        .map(|t| t.excerpt(EXCERPT_CHARS))
        .unwrap_or_default();

    let mut text = String::new();
    let mut html = String::from("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">");
    let _ = writeln!(text, "Meeting: {}\nBot id: {}\n", s.room_url, s.bot_id);
    let _ = write!(
        html,
        "<p>Meeting: <a href=\"{0}\">{0}</a><br>Bot id: {1}</p>",
        escape_html(&s.room_url),
        s.bot_id
    );
    if let Some(error) = &s.error {
        let _ = writeln!(text, "The bot failed: {error}\n");
        let _ = write!(
            html,
            "<p><strong>The bot failed:</strong> {}</p>",
            escape_html(error)
        );
    }
    if let Some(i) = insights {
        section(
            &mut text,
            &mut html,
            "Summary",
            std::slice::from_ref(&i.summary),
        );
        let items: Vec<String> = i
            .action_items
            .iter()
            .map(|a| {
                let owner = a
                    .owner
                    .as_deref()
                    .map(|o| format!("{o}: "))
                    .unwrap_or_default();
                let due = a
                    .due
                    .as_deref()
                    .map(|d| format!(" (due {d})"))
                    .unwrap_or_default();
                format!("{owner}{}{due}", a.task)
            })
            .collect();
        section(&mut text, &mut html, "Action items", &items);
        section(&mut text, &mut html, "Decisions", &i.decisions);
        if !i.topics.is_empty() {
            section(&mut text, &mut html, "Topics", &[i.topics.join(", ")]);
        }
    }
    if !qa.is_empty() {
        let pairs: Vec<String> = qa
            .iter()
            .take(MAX_QA_IN_EMAIL)
            .map(|p| format!("Q: {}\nA: {}", p.question, p.answer))
            .collect();
        section(&mut text, &mut html, "Questions and answers", &pairs);
    }
    if !excerpt.is_empty() {
        let _ = writeln!(text, "Transcript (excerpt)\n{excerpt}\n");
        let _ = write!(
            html,
            "<h3>Transcript (excerpt)</h3><pre style=\"white-space:pre-wrap\">{}</pre>",
            escape_html(&excerpt)
        );
    }
    if failed && excerpt.is_empty() && insights.is_none() {
        let _ = writeln!(text, "No transcript is available for this meeting.");
        html.push_str("<p>No transcript is available for this meeting.</p>");
    }
    html.push_str("</body></html>");

    OutgoingEmail {
        to: s.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        subject,
        text,
        html,
        bot_id: s.bot_id,
    }
}

fn section(text: &mut String, html: &mut String, title: &str, lines: &[String]) {
    if lines.iter().all(|l| l.trim().is_empty()) {
        return;
    }
    let _ = writeln!(text, "{title}");
    let _ = write!(html, "<h3>{}</h3><ul>", escape_html(title));
    for line in lines {
        let _ = writeln!(text, "- {line}");
        let _ = write!(html, "<li>{}</li>", escape_html(line).replace('\n', "<br>"));
    }
    text.push('\n');
    html.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::fixtures::session;
    use domain::insights::{Analysis, Insights, QaPair};
    use domain::{EmailAddress, Segment, Transcript};

    fn view() -> SessionView {
        let mut s = session(Phase::Completed);
        s.email = Some(EmailAddress::parse("ada@example.com").unwrap());
        s.bot_config =
            serde_json::json!({"bot_prompt": "x", "name": "Notes\r\nBcc: victim@example.com"});
        SessionView {
            session: s,
            transcript: Some(Transcript(vec![Segment {
                speaker: "<b>Eve</b>".into(),
                text: "<script>alert(1)</script> & more".into(),
                start_ms: 0,
                end_ms: 1000,
            }])),
            analysis: Some(Analysis {
                qa_pairs: vec![QaPair {
                    question: "<img src=x onerror=alert(1)>?".into(),
                    answer: "ok".into(),
                    asked_by: None,
                    answered_by: None,
                }],
                insights: Some(Insights {
                    summary: "Use <b>bold</b>".into(),
                    ..Default::default()
                }),
                insights_error: None,
            }),
        }
    }

    #[test]
    fn html_part_escapes_everything_from_the_meeting() {
        let email = compose(&view());
        assert!(!email.html.contains("<script>"));
        assert!(email
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(email.html.contains("&lt;b&gt;Eve&lt;/b&gt;"));
        assert!(!email.html.contains("<img"));
        assert!(
            email.text.contains("<script>alert(1)</script>"),
            "the plain part is plain text"
        );
    }

    #[test]
    fn the_subject_has_a_fixed_format_and_a_plain_bounded_name() {
        assert_eq!(subject(None, false), "Meeting bot: meeting summary");
        assert_eq!(
            subject(Some("\u{202E}knab ruoY\u{202C}"), true),
            "knab ruoY: the meeting could not be processed",
            "bidi overrides are dropped"
        );
        let long = subject(Some(&"A".repeat(500)), false);
        assert_eq!(long, format!("{}: meeting summary", "A".repeat(60)));
        assert_eq!(subject(Some(" \n "), false), "Meeting bot: meeting summary");
    }

    #[test]
    fn subject_cannot_inject_headers() {
        let email = compose(&view());
        assert!(!email.subject.contains('\r') && !email.subject.contains('\n'));
        assert_eq!(
            email.subject,
            "Notes Bcc: victim@example.com: meeting summary"
        );
    }
}
