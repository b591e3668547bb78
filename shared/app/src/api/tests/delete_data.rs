//! `DELETE /api/bot/{bot_id}/data` and retention: a finished bot's transcript and results
//! removed with a receipt, owed deliveries cancelled, status showing the deletion; refusals
//! change nothing; `retention_hours` from the join or the account's default.

use super::*;
use crate::ports::{Finish, SessionStore, Timeline, TranscriptStore};
use domain::insights::Analysis;
use domain::limits::AccountLimits;
use domain::session::{DeliveryState, ExitRecord, Outcome, DATA_DELETED};
use domain::{ExitReason, Transcript};

impl World {
    fn delete_handler(&self) -> DeleteDataHandler<MemStore> {
        DeleteDataHandler::new(self.store.clone())
    }

    async fn delete_data(&self, key: Option<&ApiKey>, id: &str) -> (u16, Value) {
        let req =
            request("DELETE", key, String::new(), &[]).with_path_parameters(params("bot_id", id));
        respond(self.delete_handler().handle(req).await)
    }

    /// A bot that spoke, exited and completed with results; its email is still owed.
    async fn completed_bot(&self) -> BotId {
        let id = self.joined_bot().await;
        let transcript: Transcript = serde_json::from_value(
            json!([{"speaker": "Ada", "text": "We ship on Friday.", "start_ms": 0, "end_ms": 900}]),
        )
        .unwrap();
        let chunks = self
            .store
            .save_transcript(id, "exit-1", &transcript, None)
            .await
            .unwrap();
        let exit = ExitRecord {
            exit_id: "exit-1".into(),
            reason: ExitReason::ParticipantLeft,
            ended_at: domain::now(),
            reported_at: domain::now(),
            chunks,
            segments: 1,
            words: 4,
            duration_ms: 900,
        };
        self.store
            .record_exit(id, &exit, &Timeline::default())
            .await
            .unwrap();
        let session = self.store.session(id).unwrap();
        let (email, webhook) = session.deliveries_for(
            domain::session::WebhookEvent::SessionComplete,
            Outcome::Transcript,
        );
        let analysis = Analysis::default();
        let at = domain::now();
        let finish = Finish {
            phase: Phase::Completed,
            at,
            error: None,
            error_code: None,
            analysis: Some(&analysis),
            email,
            webhook,
            frees_slot_of: session.slot(),
            timeline: Timeline::default(),
            expires_at: session.data_expiry(at),
        };
        assert!(self
            .store
            .finish(id, &[Phase::Processing], finish)
            .await
            .unwrap());
        id
    }
}

#[tokio::test]
async fn deleting_a_finished_bots_data_answers_a_receipt_and_status_shows_nulls() {
    let w = World::new();
    let id = w.completed_bot().await;
    assert!(w.store.holds_data(id));
    let (status, body) = w.status(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert!(body["transcript"].is_string() && body["qa_pairs"].is_array());
    assert!(body["data_deleted_at"].is_null());

    let (status, receipt) = w.delete_data(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200, "{receipt}");
    assert_eq!(receipt["bot_id"], id.to_string());
    assert!(receipt["deleted_at"].is_string());
    assert_eq!(
        receipt["deleted"],
        json!({"transcript_chunks": 1, "results": 1, "deliveries": 1}),
        "one chunk, the results, and the email that was still owed"
    );
    assert!(!w.store.holds_data(id));
    let session = w.store.session(id).unwrap();
    let email = session.email_delivery.unwrap();
    assert_eq!(email.state, DeliveryState::Failed);
    assert_eq!(email.error.as_deref(), Some(DATA_DELETED));

    let (status, body) = w.status(Some(&w.key), &id.to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "completed");
    assert_eq!(body["data_deleted_at"], receipt["deleted_at"]);
    for field in ["transcript", "qa_pairs", "insights", "expires_at"] {
        assert!(body[field].is_null(), "{field} after deletion: {body}");
    }

    // Again: the same receipt, nothing else changes.
    let before = w.store.session(id).unwrap();
    let (status, again) = w.delete_data(Some(&w.key), &id.to_string()).await;
    assert_eq!((status, &again), (200, &receipt));
    assert_eq!(w.store.session(id).unwrap(), before);
}

#[tokio::test]
async fn deleting_a_running_bots_data_is_409_and_changes_nothing() {
    let w = World::new();
    for phase in [Phase::InCall, Phase::Leaving, Phase::Processing] {
        let id = w.joined_bot().await;
        w.set_phase(id, phase);
        let before = w.store.session(id).unwrap();
        let (status, body) = w.delete_data(Some(&w.key), &id.to_string()).await;
        assert_eq!(status, 409, "{phase:?}");
        assert_pailflow_error(&body, "conflict");
        assert!(body["detail"].as_str().unwrap().contains(phase.as_str()));
        assert_eq!(w.store.session(id).unwrap(), before);
    }
}

#[tokio::test]
async fn deletion_refusals_leave_the_data_in_place() {
    let w = World::new();
    let id = w.completed_bot().await;
    let before = w.store.session(id).unwrap();
    for (key, raw, expect, code) in [
        (Some(&w.other_key), id.to_string(), 404, "not_found"),
        (Some(&w.key), BotId::new().to_string(), 404, "not_found"),
        (
            Some(&w.key),
            "../RESULT".to_string(),
            400,
            "invalid_request",
        ),
        (None, id.to_string(), 401, "authentication_error"),
    ] {
        let (status, body) = w.delete_data(key, &raw).await;
        assert_eq!(status, expect, "{raw}: {body}");
        assert_pailflow_error(&body, code);
    }
    assert!(w.store.holds_data(id));
    assert_eq!(w.store.session(id).unwrap(), before);
}

#[tokio::test]
async fn retention_comes_from_the_join_or_the_accounts_default_and_status_shows_expires_at() {
    let w = World::new();
    let id = w.completed_bot().await;
    let (_, body) = w.status(Some(&w.key), &id.to_string()).await;
    assert!(
        body["expires_at"].is_null(),
        "no retention: kept until deleted"
    );
    assert!(w.store.expiries(id).is_empty());

    w.store.set_limits(
        "acme",
        AccountLimits {
            retention_hours: Some(24),
            ..AccountLimits::default()
        },
    );
    let by_default = w.completed_bot().await;
    assert_eq!(
        w.store.session(by_default).unwrap().retention_hours,
        Some(24)
    );

    let mut body = join_body();
    body["retention_hours"] = json!(2);
    let (status, joined) = w.join(body).await;
    assert_eq!(status, 200, "{joined}");
    let own = BotId::parse(joined["bot_id"].as_str().unwrap()).unwrap();
    assert_eq!(
        w.store.session(own).unwrap().retention_hours,
        Some(2),
        "the join's own retention wins over the account's"
    );

    // The results of the bot under the default were stored with its expiry, which status shows.
    let session = w.store.session(by_default).unwrap();
    let expected = session.data_expires_at().unwrap();
    assert_eq!(
        expected - session.exit.as_ref().unwrap().reported_at,
        time::Duration::hours(24)
    );
    assert_eq!(w.store.expiries(by_default), vec![expected]);
    let (_, body) = w.status(Some(&w.key), &by_default.to_string()).await;
    assert_eq!(body["expires_at"], domain::rfc3339::format(expected));
}

#[tokio::test]
async fn a_deleted_transcript_exports_as_410_gone() {
    let w = World::new();
    let id = w.completed_bot().await;
    let (status, _, _) = w.export(Some(&w.key), &id.to_string(), Some("vtt")).await;
    assert_eq!(status, 200);
    let (_, receipt) = w.delete_data(Some(&w.key), &id.to_string()).await;
    let reads = w.store.result_reads();
    for format in ["vtt", "json", "txt", "srt", "md"] {
        let body = w
            .export_error(Some(&w.key), &id.to_string(), Some(format), 410)
            .await;
        assert_pailflow_error(&body, "gone");
        assert!(body["detail"]
            .as_str()
            .unwrap()
            .contains(receipt["deleted_at"].as_str().unwrap()));
    }
    assert_eq!(
        w.store.result_reads(),
        reads,
        "nothing read after the session"
    );
    // Another account still sees nothing at all.
    let body = w
        .export_error(Some(&w.other_key), &id.to_string(), Some("vtt"), 404)
        .await;
    assert_pailflow_error(&body, "not_found");
}
