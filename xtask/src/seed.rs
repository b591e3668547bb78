//! The local development account `make up` seeds into the emulator (never anywhere else):
//! a fixed, documented API key and the bots the saved events in `events/` name, so every
//! `cargo lambda invoke … --data-file events/<file>.json` answers as in production with no
//! file to edit. Idempotent: what exists is left as it is, so `make up` twice changes
//! nothing.

use crate::local;
use adapters::dynamodb::DynamoStore;
use app::ports::{Admission, Finish, SessionStore, Timeline, TranscriptStore};
use domain::api_keys::KeyId;
use domain::insights::Analysis;
use domain::limits::Limits;
use domain::session::{ExitReason, ExitRecord, Phase, Session};
use domain::timeline::{ChangeCode, StatusChange, SubCode};
use domain::{now, AccountId, ApiKey, BotId, BotSecret, Segment, Transcript};
use insights::BuiltinEngine;

/// The local development account and its key (local emulator only; documented in
/// `events/README.md`).
pub const ACCOUNT: &str = "local-dev";
pub const API_KEY: &str = "pfk_local_development_key";
pub const API_KEY_ID: &str = "key_5eed00000000000000000001";
/// A second key of the account, the one `events/keys-revoke.json` revokes.
pub const REVOCABLE_KEY: &str = "pfk_local_revocable_key";
pub const REVOCABLE_KEY_ID: &str = "key_5eed00000000000000000002";
/// The secret the reporting bot's exit report authenticates with.
pub const REPORT_SECRET: &str = "pfb_local_development_report_secret";

/// The bots the events name.
pub const STOP_BOT: &str = "5eed0000-0000-4000-8000-000000000001";
pub const PIPECAT_STOP_BOT: &str = "5eed0000-0000-4000-8000-000000000002";
pub const COMPLETED_BOT: &str = "5eed0000-0000-4000-8000-000000000003";
pub const REPORTING_BOT: &str = "5eed0000-0000-4000-8000-000000000004";
pub const DELETED_BOT: &str = "5eed0000-0000-4000-8000-000000000005";

/// Refuses unless the AWS endpoint is the local emulator on a loopback address.
fn refuse_unless_local(endpoint: &str) -> Result<(), String> {
    let host = url::Url::parse(endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    match host.as_deref() {
        Some("127.0.0.1" | "localhost" | "[::1]" | "::1") => Ok(()),
        _ => Err(format!(
            "the local development account is seeded only into the local emulator; \
             AWS_ENDPOINT_URL is '{endpoint}', not a loopback address"
        )),
    }
}

pub async fn run() -> Result<(), String> {
    refuse_unless_local(&std::env::var("AWS_ENDPOINT_URL").unwrap_or_default())?;
    let store = local::store().await;
    let account = AccountId::parse(ACCOUNT).map_err(|e| e.to_string())?;
    store
        .ensure_account(&account)
        .await
        .map_err(|e| e.to_string())?;
    for (key, id) in [(API_KEY, API_KEY_ID), (REVOCABLE_KEY, REVOCABLE_KEY_ID)] {
        let key = ApiKey::parse(key).ok_or("the local key is not a valid key")?;
        let id = KeyId::parse(id).map_err(|e| e.to_string())?;
        // A key revoked since (keys-revoke.json) stays revoked.
        store
            .put_api_key(&account, &key, &id)
            .await
            .map_err(|e| e.to_string())?;
    }
    for (id, kind) in [
        (STOP_BOT, Kind::Running),
        (PIPECAT_STOP_BOT, Kind::Running),
        (REPORTING_BOT, Kind::Running),
        (COMPLETED_BOT, Kind::Completed),
        (DELETED_BOT, Kind::Completed),
    ] {
        seed_bot(&store, &account, id, kind).await?;
    }
    println!(
        "local development account '{ACCOUNT}' ready (key {API_KEY}; bots in events/README.md)"
    );
    Ok(())
}

#[derive(Clone, Copy)]
enum Kind {
    Running,
    Completed,
}

async fn seed_bot(
    store: &DynamoStore,
    account: &AccountId,
    id: &str,
    kind: Kind,
) -> Result<(), String> {
    let bot_id = BotId::parse(id).map_err(|e| e.to_string())?;
    if store
        .get_session(bot_id)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(());
    }
    let session = Session::joining(
        bot_id,
        account.clone(),
        "https://your-domain.daily.co/your-room".into(),
        serde_json::json!({"bot_prompt": "You take meeting notes.", "name": "Local Notetaker"}),
        BotSecret::from_presented(REPORT_SECRET).hash(),
        now(),
    );
    let admission = Admission {
        active_bots: Limits::default().active_bots,
        joins_per_minute: Limits::default().joins_per_minute,
        at: now(),
    };
    store
        .create_session(&session, None, &admission)
        .await
        .map_err(|e| e.to_string())?;
    let timeline = Timeline::change(&session, ChangeCode::InCall, None, now());
    store
        .mark_started(bot_id, &format!("local-seed-{id}"), now(), &timeline)
        .await
        .map_err(|e| e.to_string())?;
    if let Kind::Completed = kind {
        let session = store
            .get_session(bot_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("the seeded session vanished")?;
        complete(store, &session).await?;
    }
    Ok(())
}

/// A short finished meeting with its transcript and the built-in engine's results.
async fn complete(store: &DynamoStore, session: &Session) -> Result<(), String> {
    let transcript = meeting();
    let exit_id = "local-seed";
    let chunks = store
        .save_transcript(session.bot_id, exit_id, &transcript, None)
        .await
        .map_err(|e| e.to_string())?;
    let exit = ExitRecord {
        exit_id: exit_id.into(),
        reason: ExitReason::ParticipantLeft,
        ended_at: now(),
        reported_at: now(),
        chunks,
        segments: transcript.segments().len() as u32,
        words: transcript.word_count() as u64,
        duration_ms: transcript.duration_ms(),
    };
    let left = Some(SubCode::ParticipantLeft);
    let exited = Timeline::of(
        session,
        vec![
            StatusChange::new(ChangeCode::BotExited, left, exit.reported_at),
            StatusChange::new(ChangeCode::Processing, None, exit.reported_at),
        ],
    );
    store
        .record_exit(session.bot_id, &exit, &exited)
        .await
        .map_err(|e| e.to_string())?;
    let analysis: Analysis = BuiltinEngine::new().analyze(&transcript);
    let finish = Finish {
        phase: Phase::Completed,
        at: now(),
        error: None,
        error_code: None,
        analysis: Some(&analysis),
        email: None,
        webhook: None,
        frees_slot_of: None,
        expires_at: None,
        timeline: Timeline::change(session, ChangeCode::Completed, left, now()),
    };
    store
        .finish(session.bot_id, &[Phase::Processing], finish)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn meeting() -> Transcript {
    let lines = [
        (
            "Ada",
            "Good morning everyone. Shall we review the launch plan?",
        ),
        (
            "Bob",
            "Yes. The build is green and the release notes are drafted.",
        ),
        ("Ada", "Can we ship on Friday?"),
        (
            "Bob",
            "Yes, we can ship on Friday if QA signs off on Thursday.",
        ),
        ("Cleo", "I will finish the QA pass by Thursday."),
        (
            "Ada",
            "Great, we decided to ship on Friday. Bob will send the announcement.",
        ),
    ];
    Transcript(
        (0u64..)
            .zip(lines)
            .map(|(i, (speaker, text))| Segment {
                speaker: speaker.into(),
                text: text.into(),
                start_ms: i * 5_000,
                end_ms: i * 5_000 + 4_500,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_loopback_emulator_is_seeded() {
        assert!(refuse_unless_local("http://127.0.0.1:4566").is_ok());
        assert!(refuse_unless_local("http://localhost:4566").is_ok());
        for endpoint in [
            "",
            "https://dynamodb.us-east-1.amazonaws.com",
            "http://10.0.0.5:4566",
            "not a url",
        ] {
            let refusal = refuse_unless_local(endpoint).unwrap_err();
            assert!(
                refusal.contains("only into the local emulator"),
                "{endpoint}: {refusal}"
            );
        }
    }
}
