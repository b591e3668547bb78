//! The result email: the meeting's title, date, duration and participants, its score with
//! strengths and weaknesses, the summary, action items, decisions, Q&A pairs, who spoke how
//! much, a transcript excerpt and a link to the full results, as a designed HTML part
//! ([`html`]) and a plain-text part with the same content ([`text`]), both made from one
//! [`digest`]. Every customer- or meeting-supplied string is HTML-escaped in the HTML part;
//! header values (the subject) are made single-line.

mod digest;
mod html;
mod text;

use crate::ports::{OutgoingEmail, SessionView};
use domain::plain_text::one_line;
use domain::Phase;

pub use html::WIDTH_PX;

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

/// The email of a finished session, without a link to the full results.
pub fn compose(view: &SessionView) -> OutgoingEmail {
    compose_with(view, None)
}

/// The email of a finished session; with `results_base_url` (`RESULTS_BASE_URL`), a link to
/// the full results (see [`results_url`]).
pub fn compose_with(view: &SessionView, results_base_url: Option<&str>) -> OutgoingEmail {
    let s = &view.session;
    let digest = digest::Digest::of(view, results_base_url);
    OutgoingEmail {
        to: s.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
        subject: subject(
            s.bot_config.get("name").and_then(|v| v.as_str()),
            s.phase == Phase::Failed,
        ),
        text: text::render(&digest),
        html: html::render(&digest),
        bot_id: s.bot_id,
    }
}

/// The link to a bot's full results: `base` with `{bot_id}` replaced by the bot's id, or,
/// without the placeholder, `<base>/api/bot/<bot_id>/status`.
pub fn results_url(base: &str, bot_id: domain::BotId) -> String {
    digest::results_url(base, bot_id)
}

#[cfg(test)]
mod tests;
