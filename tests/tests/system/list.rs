//! `GET /api/bots` against the emulator: the ByAccount index, newest first, pages with an
//! opaque cursor, every filter, and only the caller's bots.

use app::ports::{Finish, SessionStore, Timeline};
use domain::timeline::{ChangeCode, SubCode};
use domain::{BotId, Phase};
use serde_json::{json, Value};
use std::collections::HashSet;
use system_tests::{Options, Stack};

fn body(metadata: Value) -> Value {
    json!({"room_url": "https://acme.daily.co/r", "bot_config": {"bot_prompt": "x", "standin": {"report": "never"}}, "metadata": metadata})
}

/// Ends a running bot as the pipeline would, straight through the store.
async fn complete(s: &Stack, id: &str) {
    let bot = BotId::parse(id).unwrap();
    let session = s.env.store.get_session(bot).await.unwrap().unwrap();
    let at = domain::now();
    let finish = Finish {
        phase: Phase::Completed,
        at,
        error: None,
        error_code: None,
        analysis: None,
        email: None,
        webhook: None,
        frees_slot_of: session.slot(),
        expires_at: None,
        timeline: Timeline::change(
            &session,
            ChangeCode::Completed,
            Some(SubCode::ParticipantLeft),
            at,
        ),
    };
    assert!(s
        .env
        .store
        .finish(bot, &[Phase::InCall], finish)
        .await
        .unwrap());
}

fn ids(page: &Value) -> Vec<String> {
    page["bots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["bot_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_accounts_bots_come_newest_first_a_page_at_a_time_and_only_its_own() {
    let s = Stack::start(Options::api()).await;
    let mut joined = Vec::new();
    for i in 0..23 {
        joined.push(s.join_bot(&body(json!({"n": i.to_string()}))).await);
    }
    let (status, _) = s
        .join_with(Some(&s.other), &body(json!({})).to_string(), &[])
        .await;
    assert_eq!(status, 200);
    let (mut pages, mut cursor) = (Vec::new(), None::<String>);
    loop {
        let mut query = vec![("limit", "10")];
        if let Some(c) = &cursor {
            query.push(("cursor", c.as_str()));
        }
        let (status, page) = s.list_as(Some(&s.key), &query).await;
        assert_eq!(status, 200, "{page}");
        pages.push(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        pages.iter().map(Vec::len).collect::<Vec<_>>(),
        vec![10, 10, 3]
    );
    let listed: Vec<String> = pages.concat();
    joined.reverse();
    assert_eq!(listed, joined, "newest first, each once, none of globex's");
    let (_, globex) = s.list_as(Some(&s.other), &[]).await;
    assert_eq!(ids(&globex).len(), 1);
    assert!(!ids(&globex).iter().any(|id| joined.contains(id)));
    let (_, first) = s.list_as(Some(&s.key), &[]).await;
    assert_eq!(ids(&first).len(), 20, "the default page is 20");
    let bot = &first["bots"][0];
    for field in [
        "bot_id",
        "status",
        "phase",
        "sub_code",
        "room_url",
        "created_at",
        "completed_at",
        "exit_reason",
        "metadata",
    ] {
        assert!(bot.get(field).is_some(), "{field} in {bot}");
    }
}

#[tokio::test]
async fn every_filter_narrows_the_list() {
    let s = Stack::start(Options::api()).await;
    let sales_a = s
        .join_bot(&body(json!({"team": "sales", "deal": "1"})))
        .await;
    let support = s.join_bot(&body(json!({"team": "support"}))).await;
    let (_, between) = s.status_as(Some(&s.key), &support).await;
    let sales_b = s
        .join_bot(&body(json!({"team": "sales", "deal": "2"})))
        .await;
    complete(&s, &sales_a).await;

    let list = |q: Vec<(&'static str, String)>| {
        let s = &s;
        async move {
            let q: Vec<(&str, &str)> = q.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, page) = s.list_as(Some(&s.key), &q).await;
            assert_eq!(status, 200, "{page}");
            ids(&page).into_iter().collect::<HashSet<_>>()
        }
    };
    let set = |v: &[&String]| v.iter().map(|s| (*s).clone()).collect::<HashSet<_>>();
    assert_eq!(
        list(vec![("status", "completed".into())]).await,
        set(&[&sales_a])
    );
    assert_eq!(
        list(vec![("status", "running".into())]).await,
        set(&[&support, &sales_b])
    );
    assert_eq!(list(vec![("status", "failed".into())]).await, set(&[]));
    assert_eq!(
        list(vec![("metadata.team", "sales".into())]).await,
        set(&[&sales_a, &sales_b])
    );
    assert_eq!(
        list(vec![
            ("metadata.team", "sales".into()),
            ("metadata.deal", "2".into())
        ])
        .await,
        set(&[&sales_b])
    );
    let created = between["created_at"].as_str().unwrap().to_owned();
    assert_eq!(
        list(vec![("created_after", created.clone())]).await,
        set(&[&sales_b])
    );
    assert_eq!(
        list(vec![("created_before", created)]).await,
        set(&[&sales_a])
    );
    let (_, completed) = s.list_as(Some(&s.key), &[("status", "completed")]).await;
    assert_eq!(completed["bots"][0]["sub_code"], "participant_left");
    assert_eq!(completed["bots"][0]["metadata"]["deal"], "1");
}

#[tokio::test]
async fn a_tampered_or_foreign_cursor_and_bad_parameters_are_400() {
    let s = Stack::start(Options::api()).await;
    for _ in 0..3 {
        s.join_bot(&body(json!({}))).await;
    }
    let (_, page) = s.list_as(Some(&s.key), &[("limit", "1")]).await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let (status, other) = s.list_as(Some(&s.other), &[("cursor", &cursor)]).await;
    assert_eq!(
        (status, other["error"].as_str()),
        (400, Some("invalid_request"))
    );
    assert!(other["detail"]
        .as_str()
        .unwrap()
        .contains("another account"));
    let mut tampered = cursor.clone();
    tampered.insert(3, 'A');
    let (status, _) = s.list_as(Some(&s.key), &[("cursor", &tampered)]).await;
    assert_eq!(status, 400);
    for query in [
        [("limit", "0")],
        [("status", "done")],
        [("created_after", "today")],
        [("order", "asc")],
    ] {
        let (status, answer) = s.list_as(Some(&s.key), &query).await;
        assert_eq!(status, 400, "{query:?}: {answer}");
    }
    assert_eq!(s.list_as(None, &[]).await.0, 401);
}
