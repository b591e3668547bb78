//! Insights re-runs and versions through the handler: a re-run recorded and queued once,
//! refused while one runs, for a running bot, a bad body or deleted data; versions read.

use super::*;
use crate::ports::{Finish, SessionStore, Timeline};
use domain::insights::{Analysis, QaPair};
use domain::session::{ExitReason, ExitRecord};

impl World {
    fn insights_handler(&self) -> InsightsHandler<MemStore, MemQueue> {
        InsightsHandler::new(self.store.clone(), self.queue.clone())
    }

    async fn rerun(&self, key: Option<&ApiKey>, id: &str, body: &str) -> (u16, Value) {
        let req =
            request("POST", key, body.to_owned(), &[]).with_path_parameters(params("bot_id", id));
        respond(self.insights_handler().handle(req).await)
    }

    async fn insights(&self, id: &str, version: Option<&str>) -> (u16, Value) {
        let mut req = request("GET", Some(&self.key), String::new(), &[])
            .with_path_parameters(params("bot_id", id));
        if let Some(v) = version {
            req = req.with_query_string_parameters(params("version", v));
        }
        respond(self.insights_handler().handle(req).await)
    }

    /// A completed bot with an exit and results.
    async fn analysed_bot(&self) -> BotId {
        let id = self.joined_bot().await;
        let mut s = self.store.session(id).unwrap();
        s.phase = Phase::Processing;
        s.exit = Some(ExitRecord {
            exit_id: "e".into(),
            reason: ExitReason::ParticipantLeft,
            ended_at: domain::now(),
            reported_at: domain::now(),
            chunks: 1,
            segments: 1,
            words: 3,
            duration_ms: 1000,
        });
        self.store.put_session(s.clone());
        let analysis = Analysis {
            qa_pairs: vec![QaPair {
                question: "Ship?".into(),
                answer: "Yes.".into(),
                asked_by: Some("Ada".into()),
                answered_by: Some("Bob".into()),
            }],
            ..Analysis::default()
        };
        let finish = Finish {
            phase: Phase::Completed,
            at: domain::now(),
            error: None,
            error_code: None,
            analysis: Some(&analysis),
            email: None,
            webhook: None,
            frees_slot_of: None,
            timeline: Timeline::default(),
            expires_at: None,
        };
        assert!(self
            .store
            .finish(id, &[Phase::Processing], finish)
            .await
            .unwrap());
        self.queue.take();
        id
    }
}

#[tokio::test]
async fn a_rerun_is_recorded_queued_and_refused_while_it_runs() {
    let w = World::new();
    let id = w.analysed_bot().await;
    let (status, latest) = w.insights(&id.to_string(), None).await;
    assert_eq!(status, 200, "{latest}");
    assert_eq!(
        (latest["version"].clone(), latest["latest_version"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(latest["qa_pairs"][0]["question"], "Ship?");

    let body = r#"{"analysis_prompt": "Decisions only", "deliver": {"webhook": true}}"#;
    let (status, answer) = w.rerun(Some(&w.key), &id.to_string(), body).await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["version"], 2);
    assert_eq!(
        w.queue.messages(),
        vec![PipelineMessage::rerun_insights(id, 2)]
    );
    let pending = w.store.session(id).unwrap().insights_rerun.unwrap();
    assert_eq!(pending.analysis_prompt.as_deref(), Some("Decisions only"));
    assert!(pending.deliver_webhook && !pending.deliver_email);

    let before = w.store.session(id).unwrap();
    let (status, body) = w.rerun(Some(&w.key), &id.to_string(), "{}").await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("still being analysed"));
    assert_eq!(w.store.session(id).unwrap(), before);
    assert_eq!(w.queue.messages().len(), 1);
    let (status, _) = w.insights(&id.to_string(), Some("2")).await;
    assert_eq!(status, 404, "not stored yet");
}

#[tokio::test]
async fn rerun_refusals_name_the_problem_and_change_nothing() {
    let w = World::new();
    let running = w.joined_bot().await;
    let id = w.analysed_bot().await;
    let before = w.store.session(id).unwrap();
    let (status, body) = w.rerun(Some(&w.key), &running.to_string(), "").await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"].as_str().unwrap().contains("still running"));
    for (body, says) in [
        (r#"{"deliver": {"webhooks": true}}"#, "deliver.webhooks"),
        (r#"{"deliver": []}"#, "Field 'deliver' must be an object"),
        (r#"{"analysis_prompt": false}"#, "analysis_prompt"),
        ("[1]", "JSON object"),
    ] {
        let (status, answer) = w.rerun(Some(&w.key), &id.to_string(), body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(
            answer["detail"].as_str().unwrap().contains(says),
            "{answer}"
        );
    }
    assert_eq!(
        w.rerun(Some(&w.other_key), &id.to_string(), "").await.0,
        404
    );
    assert_eq!(w.rerun(None, &id.to_string(), "").await.0, 401);
    for bad in ["0", "x", "-1"] {
        assert_eq!(w.insights(&id.to_string(), Some(bad)).await.0, 400, "{bad}");
    }
    assert_eq!(w.insights(&id.to_string(), Some("9")).await.0, 404);
    assert_eq!(w.store.session(id).unwrap(), before);
    assert!(w.queue.messages().is_empty());

    let mut s = w.store.session(id).unwrap();
    s.data_deleted = Some(domain::session::DataDeleted {
        at: domain::now(),
        transcript_chunks: 1,
        results: 1,
        deliveries: 0,
    });
    w.store.put_session(s);
    assert_eq!(w.rerun(Some(&w.key), &id.to_string(), "").await.0, 410);
    assert_eq!(w.insights(&id.to_string(), None).await.0, 410);
}
