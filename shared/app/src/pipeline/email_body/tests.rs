//! The email: escaping of everything from the meeting and the customer, nothing loaded from
//! anywhere, a column that fits 600 px, each part of the content once, the subject.

use super::*;
use domain::fixtures::session;
use domain::insights::{ActionItem, Analysis, Insights, QaPair, SpeakerStats};
use domain::session::ExitRecord;
use domain::{EmailAddress, ExitReason, Segment, Transcript};
use time::Duration;

/// A string that would be markup, a script, an attribute break-out or a resource load if
/// it reached the HTML unescaped.
const HOSTILE: &str = "<img src=x onerror=alert(1)>\"'><script>alert(1)</script>&";

fn hostile(what: &str) -> String {
    format!("{what} {HOSTILE}")
}

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

/// A finished meeting with every part of the email filled in.
fn meeting() -> SessionView {
    let mut s = session(Phase::Completed);
    s.room_url = "https://acme.daily.co/weekly-launch-review".into();
    s.email = Some(EmailAddress::parse("team@example.com").unwrap());
    s.bot_config = serde_json::json!({"bot_prompt": "x", "name": "Notetaker"});
    s.started_at = Some(s.created_at);
    s.exit = Some(ExitRecord {
        exit_id: "ab".repeat(32),
        reason: ExitReason::ParticipantLeft,
        ended_at: s.created_at + Duration::minutes(32),
        reported_at: s.created_at + Duration::minutes(32),
        chunks: 1,
        segments: 3,
        words: 30,
        duration_ms: 1_920_000,
    });
    let speaker = |name: &str, seconds: f64| SpeakerStats {
        speaker: name.into(),
        talk_time_seconds: seconds,
        word_count: 100,
        share: 0.0,
    };
    SessionView {
        session: s,
        transcript: Some(Transcript(vec![
            Segment {
                speaker: "Ada".into(),
                text: "Good morning everyone.".into(),
                start_ms: 0,
                end_ms: 2000,
            },
            Segment {
                speaker: "Bob".into(),
                text: "Morning.".into(),
                start_ms: 2000,
                end_ms: 3000,
            },
        ])),
        analysis: Some(Analysis {
            qa_pairs: vec![QaPair {
                question: "How long will the load tests take?".into(),
                answer: "About two more days.".into(),
                asked_by: Some("Ada".into()),
                answered_by: Some("Bob".into()),
            }],
            insights: Some(Insights {
                summary: "The team reviewed the launch plan.".into(),
                action_items: vec![ActionItem {
                    task: "Update the announcement copy to match the two tiers by Thursday".into(),
                    owner: Some("Dana".into()),
                    due: Some("by Thursday".into()),
                }],
                decisions: vec!["We launch with two tiers.".into()],
                speakers: vec![speaker("Ada", 1100.0), speaker("Bob", 820.0)],
                duration_seconds: 1920.0,
                overall_score: Some(7.4),
                strengths: vec!["2 of 2 questions were answered".into()],
                weaknesses: vec!["Ada spoke 57% of the time".into()],
                ..Default::default()
            }),
            insights_error: None,
        }),
    }
}

/// `meeting()` with a hostile string in every field that comes from the meeting or the
/// customer.
fn hostile_meeting() -> SessionView {
    let mut v = meeting();
    v.session.room_url = format!("https://acme.daily.co/{HOSTILE}");
    v.session.bot_config = serde_json::json!({"bot_prompt": "x", "name": hostile("bot")});
    v.session.phase = Phase::Failed;
    v.session.error = Some(hostile("error"));
    v.transcript = Some(Transcript(vec![Segment {
        speaker: hostile("speaker"),
        text: hostile("said"),
        start_ms: 0,
        end_ms: 1000,
    }]));
    let a = v.analysis.as_mut().unwrap();
    a.qa_pairs = vec![QaPair {
        question: hostile("question"),
        answer: hostile("answer"),
        asked_by: Some(hostile("asker")),
        answered_by: Some(hostile("answerer")),
    }];
    let i = a.insights.as_mut().unwrap();
    i.summary = hostile("summary");
    i.action_items = vec![ActionItem {
        task: hostile("task"),
        owner: Some(hostile("owner")),
        due: Some(hostile("due")),
    }];
    i.decisions = vec![hostile("decision")];
    i.strengths = vec![hostile("strength")];
    i.weaknesses = vec![hostile("weakness")];
    i.speakers[0].speaker = hostile("talker");
    v
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

/// The tags of an HTML text, each as its name and its attributes (name, value).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tag = &rest[open + 1..];
        // Attribute values are quoted with `"`, and never contain one (it is escaped).
        let mut end = 0;
        let mut quoted = false;
        for (i, c) in tag.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let body = &tag[..end];
        let mut parts = body.splitn(2, char::is_whitespace);
        let name = parts
            .next()
            .unwrap_or("")
            .trim_start_matches('/')
            .to_owned();
        let mut attributes = Vec::new();
        let mut attrs = parts.next().unwrap_or("");
        while let Some(eq) = attrs.find("=\"") {
            let key = attrs[..eq].trim().to_owned();
            let value_end = attrs[eq + 2..].find('"').unwrap();
            attributes.push((key, attrs[eq + 2..eq + 2 + value_end].to_owned()));
            attrs = &attrs[eq + 2 + value_end + 1..];
        }
        assert!(
            attrs.trim().is_empty() || attrs.trim() == "html",
            "stray markup: <{body}>"
        );
        out.push((name, attributes));
        rest = &tag[end..];
    }
    out
}

#[test]
fn no_user_string_reaches_the_html_unescaped() {
    let email = compose_with(
        &hostile_meeting(),
        Some("https://app.example.com/bots/{bot_id}"),
    );
    let html = &email.html;
    let escaped = escape_html(HOSTILE);
    let bot = one_line(&hostile("bot"), 60);
    assert!(
        html.contains(&escape_html(&bot)),
        "the bot's name, bounded, escaped"
    );
    assert!(html.contains(&format!("https://acme.daily.co/{escaped}")));
    for what in [
        "error", "speaker", "said", "question", "answer", "asker", "answerer", "summary", "task",
        "owner", "due", "decision", "strength", "weakness", "talker",
    ] {
        // Names are cut at 60 characters: the start of the hostile text is enough.
        assert!(
            html.contains(&format!("{what} {}", escape_html(&HOSTILE[..20]))),
            "{what} is shown, escaped"
        );
        assert!(
            email.text.contains(&format!("{what} {}", &HOSTILE[..20])),
            "{what} is in the text part"
        );
    }
    // The only markup is ours: tags and attributes the composer writes, and nothing else.
    let tag_names = [
        "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "div", "table", "tr", "td",
        "p", "a", "strong",
    ];
    let attribute_names = [
        "lang",
        "charset",
        "name",
        "content",
        "class",
        "style",
        "role",
        "width",
        "height",
        "cellpadding",
        "cellspacing",
        "border",
        "bgcolor",
        "align",
        "valign",
        "href",
    ];
    for (name, attributes) in tags(html) {
        assert!(
            tag_names.contains(&name.as_str()),
            "unexpected tag <{name}>"
        );
        for (key, value) in attributes {
            assert!(
                attribute_names.contains(&key.as_str()),
                "unexpected attribute {key}"
            );
            assert!(!value.contains(['<', '>']), "{key}=\"{value}\"");
        }
    }
}

#[test]
fn nothing_is_loaded_from_anywhere_and_nothing_runs() {
    for v in [meeting(), hostile_meeting(), view()] {
        let html = compose_with(&v, Some("https://app.example.com")).html;
        let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
        let mut markup = vec![style.to_owned()];
        for (name, attributes) in tags(&html) {
            assert!(
                !["script", "img", "link", "iframe", "object", "embed", "video", "audio"]
                    .contains(&name.to_ascii_lowercase().as_str()),
                "<{name}>"
            );
            for (key, value) in attributes {
                if key == "href" {
                    assert!(value.starts_with("https://"), "href=\"{value}\"");
                } else {
                    markup.push(format!("{key}={value}"));
                }
            }
        }
        for m in markup {
            let m = m.to_ascii_lowercase();
            for load in [
                "src",
                "url(",
                "@import",
                "expression(",
                "javascript:",
                "http",
            ] {
                assert!(!m.contains(load), "{load} in {m}");
            }
        }
    }
}

#[test]
fn the_column_fits_600_px() {
    let html = compose_with(&meeting(), Some("https://app.example.com")).html;
    assert!(html.contains(&format!("width=\"{WIDTH_PX}\"")));
    assert!(html.contains(&format!("max-width:{WIDTH_PX}px")));
    for (i, _) in html.match_indices("width=\"") {
        let value: String = html[i + 7..].chars().take_while(|c| *c != '"').collect();
        if let Ok(px) = value.parse::<u32>() {
            assert!(px <= WIDTH_PX, "width=\"{value}\"");
        } else {
            assert!(value.ends_with('%'), "width=\"{value}\"");
        }
    }
    for (i, _) in html.match_indices("width:") {
        let value: String = html[i + 6..]
            .chars()
            .take_while(|c| *c != ';' && *c != '"')
            .collect();
        if let Some(px) = value.strip_suffix("px") {
            assert!(px.parse::<u32>().unwrap() <= WIDTH_PX, "width:{value}");
        }
    }
}

#[test]
fn every_part_is_there_once_in_both_parts() {
    let email = compose_with(&meeting(), Some("https://app.example.com/"));
    let (html, text) = (&email.html, &email.text);
    for part in [
        "Weekly launch review",
        "32 min",
        "2 participants",
        "7.4",
        "2 of 2 questions were answered",
        "Ada spoke 57% of the time",
        "The team reviewed the launch plan.",
        "Update the announcement copy to match the two tiers",
        "We launch with two tiers.",
        "How long will the load tests take?",
        "About two more days.",
        "Good morning everyone.",
    ] {
        assert!(html.contains(part), "{part} is in the HTML part");
        assert!(text.contains(part), "{part} is in the text part");
    }
    // The due date once, beside the task, not repeated in it.
    assert_eq!(html.matches("by Thursday").count(), 1, "{html}");
    assert_eq!(text.matches("by Thursday").count(), 1, "{text}");
    let link = format!("https://app.example.com/api/bot/{}/status", email.bot_id);
    assert!(html.contains(&format!("href=\"{link}\"")) && text.contains(&link));
    // Talk time: Ada 1100 s of 1920 s.
    assert!(html.contains("57% &middot; 18 min") && text.contains(" 57%  18 min"));
    assert!(
        !compose(&meeting()).html.contains("View the full results"),
        "no base URL, no link"
    );
    assert!(html.len() < 102 * 1024, "under Gmail's clipping size");
}

#[test]
fn the_due_phrase_is_taken_out_of_the_task_once() {
    use digest::task_without_due as t;
    assert_eq!(
        t("Send the report to legal by Friday", Some("by Friday")),
        "Send the report to legal"
    );
    assert_eq!(
        t("Send by Friday the report", Some("by Friday")),
        "Send the report"
    );
    assert_eq!(t("Ship it tomorrow.", Some("tomorrow")), "Ship it");
    assert_eq!(
        t(
            "Ask legal to review it before next Friday, they are slow",
            Some("before next Friday")
        ),
        "Ask legal to review it"
    );
    assert_eq!(t("Call the vendor", Some("next week")), "Call the vendor");
    assert_eq!(
        t("Tomorrow", Some("tomorrow")),
        "Tomorrow",
        "never an empty task"
    );
    assert_eq!(
        t("Écrire le rapport by Friday", Some("by friday")),
        "Écrire le rapport"
    );
}

#[test]
fn the_excerpt_is_short_and_reads_without_research_annotations() {
    let mut v = meeting();
    let line = |i: u64| Segment {
        speaker: if i.is_multiple_of(2) {
            "Marketing"
        } else {
            "Project Manager"
        }
        .into(),
        text: format!("{{vocalsound}} That went well , thank you {i} . {{disfmarker}}"),
        start_ms: i * 1000,
        end_ms: i * 1000 + 500,
    };
    v.transcript = Some(Transcript((0..40).map(line).collect()));
    let email = compose(&v);
    assert!(email.text.contains(
        "Marketing: That went well, thank you 0.\nProject Manager: That went well, thank you 1."
    ));
    assert!(!email.html.contains("{vocalsound}") && !email.html.contains(" ,"));
    assert_eq!(
        email.html.matches("That went well").count(),
        8,
        "eight lines at most"
    );
}

#[test]
fn a_failed_session_without_transcript_says_so() {
    let mut v = view();
    v.session.phase = Phase::Failed;
    v.session.error = Some("The bot did not report its exit within 15 minutes of the leave request; no transcript was received.".into());
    v.transcript = None;
    v.analysis = None;
    let email = compose(&v);
    assert!(email.html.contains("The bot could not finish this meeting"));
    assert!(email
        .html
        .contains("No transcript is available for this meeting."));
    assert!(email.text.contains("did not report its exit"));
    assert_eq!(
        email.subject,
        "Notes Bcc: victim@example.com: the meeting could not be processed"
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

#[test]
fn the_results_link_takes_a_placeholder_or_is_the_status_route() {
    let id = domain::BotId::new();
    assert_eq!(
        results_url(
            "https://console.example.com/meetings/{bot_id}?tab=notes",
            id
        ),
        format!("https://console.example.com/meetings/{id}?tab=notes")
    );
    assert_eq!(
        results_url("https://api.example.com/", id),
        format!("https://api.example.com/api/bot/{id}/status")
    );
}
