//! What the email says, gathered once from the session, its transcript and its results and
//! bounded: the same content then becomes the HTML part and the plain-text part. Strings
//! here are still the meeting's and the customer's, unescaped; the renderers escape them.

use crate::pipeline::webhook_payload::duration_seconds;
use crate::ports::SessionView;
use domain::join::room_name;
use domain::{BotId, Phase};
use time::macros::format_description;

/// The longest excerpt of the transcript, in characters, lines, and characters a line.
const EXCERPT_CHARS: usize = 1_200;
const EXCERPT_LINES: usize = 8;
const EXCERPT_LINE_CHARS: usize = 240;
const MAX_QA: usize = 4;
const MAX_ITEMS: usize = 10;
const MAX_POINTS: usize = 5;
/// Speakers drawn one by one; the quieter rest share one row.
const MAX_SPEAKERS: usize = 8;
/// The longest string of any one kind the email shows (an LLM's summary may be long).
const MAX_TEXT_CHARS: usize = 2_000;
const MAX_SHORT_CHARS: usize = 300;

pub(super) struct Digest {
    pub bot_id: BotId,
    pub bot_name: String,
    /// The room's name made readable ("demo-standup" → "Demo standup").
    pub title: String,
    pub room_url: String,
    /// "Thursday, 15 January 2026, 10:00 UTC"
    pub date: String,
    /// "32 min"; empty when not known.
    pub duration: String,
    pub participants: Vec<String>,
    pub failed: bool,
    /// Why the session failed (our sentence).
    pub error: Option<String>,
    pub score: Option<f64>,
    pub strengths: Vec<String>,
    pub weaknesses: Vec<String>,
    pub summary: String,
    pub actions: Vec<Action>,
    pub decisions: Vec<String>,
    pub qa: Vec<Qa>,
    /// Pairs beyond the ones shown.
    pub more_qa: usize,
    pub talk: Vec<Talk>,
    /// `Speaker: words` lines.
    pub excerpt: Vec<String>,
    pub results_url: Option<String>,
}

pub(super) struct Action {
    /// The task without its due phrase, which `due` says once.
    pub task: String,
    pub owner: Option<String>,
    pub due: Option<String>,
}

pub(super) struct Qa {
    pub question: String,
    pub answer: String,
    pub asked_by: Option<String>,
    pub answered_by: Option<String>,
}

pub(super) struct Talk {
    pub speaker: String,
    /// Share of all talk time, 0..=1.
    pub share: f64,
    pub minutes: f64,
}

impl Digest {
    pub fn of(view: &SessionView, results_base_url: Option<&str>) -> Self {
        let s = &view.session;
        let insights = view.analysis.as_ref().and_then(|a| a.insights.as_ref());
        let qa_pairs = view
            .analysis
            .as_ref()
            .map(|a| a.qa_pairs.as_slice())
            .unwrap_or_default();
        // The bot's time in the call, or what its transcript spans if that is longer (a bot
        // that joined late, or the local stand-in, which reports a whole meeting at once).
        let seconds =
            (duration_seconds(s) as f64).max(insights.map_or(0.0, |i| i.duration_seconds));
        let date_format = format_description!(
            "[weekday], [day padding:none] [month repr:long] [year], [hour]:[minute] UTC"
        );
        let when = s.started_at.unwrap_or(s.created_at);
        Digest {
            bot_id: s.bot_id,
            bot_name: s
                .bot_config
                .get("name")
                .and_then(|v| v.as_str())
                .map(|n| domain::plain_text::one_line(n, 60))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "Meeting bot".to_owned()),
            title: title(&room_name(&s.room_url)),
            room_url: short(&s.room_url, MAX_SHORT_CHARS),
            date: when.format(&date_format).unwrap_or_default(),
            duration: duration(seconds),
            participants: insights
                .map(|i| i.speakers.iter().map(|p| short(&p.speaker, 60)).collect())
                .unwrap_or_default(),
            failed: s.phase == Phase::Failed,
            error: s.error.as_deref().map(|e| short(e, MAX_SHORT_CHARS)),
            score: insights.and_then(|i| i.overall_score),
            strengths: insights.map_or_else(Vec::new, |i| points(&i.strengths)),
            weaknesses: insights.map_or_else(Vec::new, |i| points(&i.weaknesses)),
            summary: insights.map_or_else(String::new, |i| short(&i.summary, MAX_TEXT_CHARS)),
            actions: insights
                .map(|i| {
                    i.action_items
                        .iter()
                        .take(MAX_ITEMS)
                        .map(|a| Action {
                            task: short(
                                &task_without_due(&a.task, a.due.as_deref()),
                                MAX_SHORT_CHARS,
                            ),
                            owner: a.owner.as_deref().map(|o| short(o, 60)),
                            due: a.due.as_deref().map(|d| short(d, 60)),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            decisions: insights
                .map(|i| {
                    i.decisions
                        .iter()
                        .take(MAX_ITEMS)
                        .map(|d| short(d, MAX_SHORT_CHARS))
                        .collect()
                })
                .unwrap_or_default(),
            qa: qa_pairs
                .iter()
                .take(MAX_QA)
                .map(|p| Qa {
                    question: short(&p.question, MAX_SHORT_CHARS),
                    answer: short(&p.answer, MAX_SHORT_CHARS * 2),
                    asked_by: p.asked_by.as_deref().map(|n| short(n, 60)),
                    answered_by: p.answered_by.as_deref().map(|n| short(n, 60)),
                })
                .collect(),
            more_qa: qa_pairs.len().saturating_sub(MAX_QA),
            talk: insights.map_or_else(Vec::new, |i| talk(&i.speakers)),
            excerpt: view
                .transcript
                .as_ref()
                .map(|t| {
                    t.excerpt(EXCERPT_CHARS)
                        .lines()
                        .map(readable)
                        .filter(|l| !l.is_empty())
                        .take(EXCERPT_LINES)
                        .map(|l| short(&l, EXCERPT_LINE_CHARS))
                        .collect()
                })
                .unwrap_or_default(),
            results_url: results_base_url.map(|base| results_url(base, s.bot_id)),
        }
    }
}

/// The link to the full results: `RESULTS_BASE_URL` with `{bot_id}` replaced, or, without
/// the placeholder, the bot's status route under it.
pub(super) fn results_url(base: &str, bot_id: BotId) -> String {
    if base.contains("{bot_id}") {
        base.replace("{bot_id}", &bot_id.to_string())
    } else {
        format!("{}/api/bot/{bot_id}/status", base.trim_end_matches('/'))
    }
}

/// "demo-standup" → "Demo standup", "standup" → "Standup"; a name of mixed case or digits
/// without separators (a generated room id) is kept as it is.
fn title(room: &str) -> String {
    let room = short(room, 80);
    if !room.contains(['-', '_']) && !room.bytes().all(|b| b.is_ascii_lowercase()) {
        return room;
    }
    let spaced = room.replace(['-', '_'], " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => room,
    }
}

/// "45 s", "32 min", "1 h 05 min".
fn duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0 => String::new(),
        1..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", (s + 30) / 60),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600 + 30) / 60),
    }
}

/// The task as said, without the due phrase the email shows beside it: "Send the report
/// to legal by Friday" and "by Friday" make "Send the report to legal".
pub(super) fn task_without_due(task: &str, due: Option<&str>) -> String {
    let Some(due) = due.map(str::trim).filter(|d| !d.is_empty()) else {
        return task.to_owned();
    };
    // ASCII lower-casing keeps byte offsets, so a match found there cuts the task.
    let lower = task.to_ascii_lowercase();
    let Some(at) = lower.find(&due.to_ascii_lowercase()) else {
        return task.to_owned();
    };
    let before = task[..at].trim_end_matches([' ', ',']);
    let rest = &task[at + due.len()..];
    // A clause after a comma is a remark of its own ("…by Friday, they are slow"): it goes
    // with the due phrase.
    let after = if rest.trim_start().starts_with([',', ';']) {
        ""
    } else {
        rest.trim_start()
    };
    let joined = match (before.is_empty(), after.trim_matches(['.', ' ']).is_empty()) {
        (true, _) => return task.to_owned(),
        (false, true) => before.to_owned(),
        (false, false) => format!("{before} {after}"),
    };
    joined.trim().to_owned()
}

/// A transcript line as people read it: annotations of research transcripts
/// (`{vocalsound}`) left out, and tokenised punctuation (`well , thanks .`) put back on its
/// word. A line of nothing but annotations becomes empty.
fn readable(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for word in line.split_whitespace() {
        if word.starts_with('{') && word.ends_with('}') {
            continue;
        }
        let punctuation = word.chars().all(|c| ",.?!;:".contains(c));
        if punctuation && (out.is_empty() || out.ends_with(':')) {
            continue;
        }
        if !out.is_empty() && !punctuation {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.ends_with(':') {
        return String::new();
    }
    out
}

fn points(items: &[String]) -> Vec<String> {
    items
        .iter()
        .take(MAX_POINTS)
        .map(|p| short(p, MAX_SHORT_CHARS))
        .collect()
}

/// Speakers by talk time, the quieter ones beyond `MAX_SPEAKERS` in one row.
fn talk(speakers: &[domain::insights::SpeakerStats]) -> Vec<Talk> {
    let total: f64 = speakers.iter().map(|s| s.talk_time_seconds).sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let row = |speaker: String, seconds: f64| Talk {
        speaker,
        share: seconds / total,
        minutes: seconds / 60.0,
    };
    let shown = if speakers.len() > MAX_SPEAKERS {
        MAX_SPEAKERS - 1
    } else {
        MAX_SPEAKERS
    };
    let mut rows: Vec<Talk> = speakers
        .iter()
        .take(shown)
        .map(|s| row(short(&s.speaker, 60), s.talk_time_seconds))
        .collect();
    if speakers.len() > shown {
        let rest = &speakers[shown..];
        let seconds = rest.iter().map(|s| s.talk_time_seconds).sum();
        rows.push(row(format!("{} others", rest.len()), seconds));
    }
    rows
}

/// At most `max` characters, with an ellipsis when cut.
pub(super) fn short(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{}…", head.trim_end())
    } else {
        head
    }
}
