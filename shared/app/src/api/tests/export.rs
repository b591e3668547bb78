//! The transcript export: every format of an ended bot, and every refusal (a bot with no
//! transcript yet, an unknown format, another account's bot), each reading nothing it
//! must not.

use super::*;
use crate::ports::TranscriptStore;
use domain::session::{ExitReason, ExitRecord};
use domain::transcript_export::ExportFormat;
use domain::{Segment, Transcript};

fn transcript() -> Transcript {
    Transcript(vec![
        Segment {
            speaker: "Ada".into(),
            text: "Ship it <today> & --> tomorrow?".into(),
            start_ms: 0,
            end_ms: 2_100,
        },
        Segment {
            speaker: "Bob".into(),
            text: "Yes.\nDone.".into(),
            start_ms: 2_300,
            end_ms: 2_300,
        },
    ])
}

impl World {
    fn export_handler(&self) -> ExportHandler<MemStore> {
        ExportHandler::new(self.store.clone())
    }

    /// Status, content type and body of an export; `format` is the query parameter.
    pub(super) async fn export(
        &self,
        key: Option<&ApiKey>,
        id: &str,
        format: Option<&str>,
    ) -> (u16, String, String) {
        let mut req =
            request("GET", key, String::new(), &[]).with_path_parameters(params("bot_id", id));
        if let Some(format) = format {
            req = req.with_query_string_parameters(params("format", format));
        }
        let response = self.export_handler().handle(req).await;
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        let body = match response.body() {
            Body::Text(t) => t.clone(),
            other => panic!("unexpected body {other:?}"),
        };
        (response.status().as_u16(), content_type, body)
    }

    /// The error body of an export that must fail with `status`.
    pub(super) async fn export_error(
        &self,
        key: Option<&ApiKey>,
        id: &str,
        format: Option<&str>,
        status: u16,
    ) -> Value {
        let (got, content_type, body) = self.export(key, id, format).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(content_type, "application/json");
        serde_json::from_str(&body).unwrap()
    }

    /// A bot of `acme` whose exit (with [`transcript`]) was recorded, now in `phase`.
    async fn reported_bot(&self, phase: Phase) -> BotId {
        let id = self.joined_bot().await;
        let t = transcript();
        let chunks = self
            .store
            .save_transcript(id, "exit-1", &t, None)
            .await
            .unwrap();
        let mut s = self.store.session(id).unwrap();
        s.exit = Some(ExitRecord {
            exit_id: "exit-1".into(),
            reason: ExitReason::ParticipantLeft,
            ended_at: domain::now(),
            reported_at: domain::now(),
            chunks,
            segments: t.segments().len() as u32,
            words: t.word_count() as u64,
            duration_ms: t.duration_ms(),
        });
        s.phase = phase;
        self.store.put_session(s);
        id
    }
}

#[tokio::test]
async fn an_ended_bot_exports_every_format_with_its_content_type() {
    let w = World::new();
    let id = w.reported_bot(Phase::Completed).await.to_string();
    for format in ExportFormat::ALL {
        let (status, content_type, body) = w.export(Some(&w.key), &id, Some(format.as_str())).await;
        assert_eq!(status, 200, "{format:?}: {body}");
        assert_eq!(content_type, format.content_type());
        assert_eq!(body, format.render(&transcript()));
    }
    let (_, _, vtt) = w.export(Some(&w.key), &id, Some("vtt")).await;
    assert!(vtt.starts_with("WEBVTT\n\n00:00:00.000 --> 00:00:02.100\n<v Ada>Ship it &lt;today&gt; &amp; --&gt; tomorrow?\n\n"));
    assert!(vtt.ends_with("00:00:02.300 --> 00:00:03.300\n<v Bob>Yes. Done.\n\n"));
}

#[tokio::test]
async fn without_a_format_the_export_is_json() {
    let w = World::new();
    let id = w.reported_bot(Phase::Completed).await.to_string();
    let (status, content_type, body) = w.export(Some(&w.key), &id, None).await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let segments: Vec<Segment> = serde_json::from_str(&body).unwrap();
    assert_eq!(segments, transcript().0);
}

#[tokio::test]
async fn a_failed_bot_that_reported_exports_its_transcript() {
    let w = World::new();
    let id = w.reported_bot(Phase::Failed).await.to_string();
    let (status, _, body) = w.export(Some(&w.key), &id, Some("txt")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        "Ada: Ship it <today> & --> tomorrow?\nBob: Yes. Done."
    );
}

#[tokio::test]
async fn a_bot_without_a_transcript_yet_is_404_and_nothing_is_read() {
    let w = World::new();
    let running = w.joined_bot().await;
    let processing = w.reported_bot(Phase::Processing).await;
    let failed = w.joined_bot().await;
    w.set_phase(failed, Phase::Failed);
    for id in [running, processing, failed] {
        let body = w
            .export_error(Some(&w.key), &id.to_string(), Some("vtt"), 404)
            .await;
        assert_pailflow_error(&body, "not_found");
        assert_eq!(
            body["detail"],
            format!("Bot session {id} has no transcript yet.")
        );
    }
    assert_eq!(w.store.result_reads(), 0, "no transcript read");
}

#[tokio::test]
async fn an_unknown_format_is_400_naming_the_formats_before_anything_is_read() {
    let w = World::new();
    let id = w.reported_bot(Phase::Completed).await.to_string();
    for bad in ["xml", "", "VTT", "vtt "] {
        let body = w.export_error(Some(&w.key), &id, Some(bad), 400).await;
        assert_pailflow_error(&body, "invalid_request");
        assert_eq!(
            body["detail"],
            format!("Unknown transcript format '{bad}'; use one of: json, txt, srt, vtt, md.")
        );
    }
    let unknown = BotId::new().to_string();
    w.export_error(Some(&w.key), &unknown, Some("xml"), 400)
        .await;
    assert_eq!(w.store.result_reads(), 0);
}

#[tokio::test]
async fn another_accounts_bot_is_404_and_its_transcript_is_not_read() {
    let w = World::new();
    let id = w.reported_bot(Phase::Completed).await.to_string();
    for format in [None, Some("srt")] {
        let body = w.export_error(Some(&w.other_key), &id, format, 404).await;
        assert_pailflow_error(&body, "not_found");
        assert_eq!(body["detail"], format!("Bot session {id} not found"));
    }
    assert_eq!(
        w.store.result_reads(),
        0,
        "another account's bot: nothing but the session read"
    );
    assert_eq!(w.export(Some(&w.key), &id, None).await.0, 200);
    assert_eq!(w.store.result_reads(), 1);
}

#[tokio::test]
async fn export_refusals() {
    let w = World::new();
    let id = w.reported_bot(Phase::Completed).await.to_string();
    let unknown = BotId::new().to_string();
    let body = w.export_error(Some(&w.key), &unknown, None, 404).await;
    assert_eq!(body["detail"], format!("Bot session {unknown} not found"));
    let body = w.export_error(Some(&w.key), "xyz", Some("vtt"), 400).await;
    assert_pailflow_error(&body, "invalid_request");
    let body = w.export_error(None, &id, Some("vtt"), 401).await;
    assert_pailflow_error(&body, "authentication_error");
    assert_eq!(w.store.result_reads(), 0);
}
