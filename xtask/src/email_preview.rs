//! `make email-preview` without the local stack: a transcript file through the built-in
//! engine and the real email composer (`app::pipeline::email_body`), as the pipeline would
//! mail it, written to `.local/email-preview/` for `scripts/email_preview.sh` to screenshot.

use app::pipeline::email_body;
use app::ports::SessionView;
use domain::insights::Analysis;
use domain::Session;
use insights::BuiltinEngine;
use serde_json::json;
use std::path::Path;

/// The room of the preview's meeting, as in `make demo` (its name becomes the title).
pub const DEFAULT_ROOM: &str = "https://pailflow.daily.co/weekly-launch-review";
/// A fixed bot and start, so that the same file always gives the same email.
const BOT_ID: &str = "6a0c5f3e-8d1b-4c2a-9e47-3b5d2f1a0c9e";
const STARTED_AT: &str = "2025-01-15T10:00:00Z";

/// Composes the email of the meeting in `transcript` (QMSum, exit report or array of
/// segments; without one, the stand-in bot's written meeting, as in `make demo`) held in
/// `room_url`, and writes `email.html` and `email.txt` to `out`; returns the HTML's path.
pub fn write(
    transcript: Option<&Path>,
    room_url: &str,
    results_base_url: Option<&str>,
    out: &Path,
) -> Result<std::path::PathBuf, String> {
    let transcript = match transcript {
        Some(path) => {
            let json =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            crate::transcript_files::load_transcript(&json)
                .map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => domain::Transcript(crate::meeting::written()),
    };
    let analysis: Analysis = BuiltinEngine::new().analyze(&transcript);
    let view = SessionView {
        session: session(room_url, transcript.duration_ms())?,
        transcript: Some(transcript),
        analysis: Some(analysis),
    };
    let email = email_body::compose_with(&view, results_base_url);
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let html = out.join("email.html");
    std::fs::write(&html, &email.html).map_err(|e| format!("{}: {e}", html.display()))?;
    let text = out.join("email.txt");
    std::fs::write(
        &text,
        format!("Subject: {}\n\n{}", email.subject, email.text),
    )
    .map_err(|e| format!("{}: {e}", text.display()))?;
    Ok(html)
}

/// A completed session as the pipeline stores it, read from JSON so that fields added to
/// sessions later (with their defaults) need nothing here.
fn session(room_url: &str, duration_ms: u64) -> Result<Session, String> {
    let fmt = &time::format_description::well_known::Rfc3339;
    let started = time::OffsetDateTime::parse(STARTED_AT, fmt).map_err(|e| e.to_string())?;
    let ended = started + time::Duration::milliseconds(duration_ms as i64);
    let at = |t: time::OffsetDateTime| t.format(fmt).unwrap_or_default();
    serde_json::from_value(json!({
        "bot_id": BOT_ID,
        "account_id": "acme",
        "room_url": room_url,
        "provider": "daily",
        "bot_config": json!({"bot_prompt": "Take notes", "name": "PailFlow Notetaker"}).to_string(),
        "process_insights": true,
        "email": "team@example.com",
        "phase": "completed",
        "created_at": STARTED_AT,
        "started_at": STARTED_AT,
        "completed_at": at(ended + time::Duration::seconds(3)),
        "bot_secret_hash": "",
        "exit": {
            "exit_id": "0".repeat(64),
            "reason": "participant_left",
            "ended_at": at(ended),
            "reported_at": at(ended),
            "chunks": 1,
            "segments": 0,
            "words": 0,
            "duration_ms": duration_ms,
        },
    }))
    .map_err(|e| format!("the preview's session: {e}"))
}

#[cfg(test)]
mod tests {
    fn composed(transcript: Option<&std::path::Path>, room: &str) -> String {
        let out = std::env::temp_dir().join(format!("email-preview-{}", uuid::Uuid::new_v4()));
        let html = super::write(
            transcript,
            room,
            Some("https://app.example.com/meetings/{bot_id}"),
            &out,
        )
        .unwrap();
        let html = std::fs::read_to_string(html).unwrap();
        std::fs::remove_dir_all(out).unwrap();
        html
    }

    #[test]
    fn the_demo_meeting_composes_an_email_with_every_part() {
        let html = composed(None, super::DEFAULT_ROOM);
        for part in [
            "Weekly launch review",
            "Meeting score",
            "What to improve",
            "Action items",
            "Decisions",
            "Questions and answers",
            "Who spoke how much",
            "From the transcript",
            "https://app.example.com/meetings/6a0c5f3e-8d1b-4c2a-9e47-3b5d2f1a0c9e",
        ] {
            assert!(html.contains(part), "{part}");
        }
    }

    #[test]
    fn a_qmsum_meeting_composes_too() {
        let file = crate::local::repo_root().join("xtask/data/qmsum/val/ES2009c.json");
        let html = composed(Some(&file), "https://acme.daily.co/design-review");
        assert!(html.contains("Design review") && html.contains("Project Manager"));
    }
}
