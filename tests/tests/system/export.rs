//! The transcript export against the emulator: a meeting completed through the real
//! pipeline, exported in every format; SubRip and WebVTT read back by the reference parsers
//! (PyPI `srt` and `webvtt-py`, `scripts/parse_subtitles.py` in the project's .venv).
//! And the refusals: no transcript yet, an unknown format, another account's bot.

use domain::transcript_export::ExportFormat;
use domain::Segment;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use system_tests::{unique_email, Options, Stack};

/// A speaker and texts that would break each format if written as they are: markup, an
/// ampersand, a cue arrow, a line break (with a forged line after it), no duration.
fn segments() -> Vec<Segment> {
    let seg = |speaker: &str, text: &str, start_ms: u64, end_ms: u64| Segment {
        speaker: speaker.into(),
        text: text.into(),
        start_ms,
        end_ms,
    };
    vec![
        seg(
            "R&D <Lead>",
            "Ship it <now> & then --> next\n\nCFO: approved",
            0,
            2_100,
        ),
        seg("Bob", "Agreed.", 2_300, 2_300),
        seg("Ada", "An hour in.", 3_600_005, 3_601_500),
    ]
}

/// What the parsers must read: start, end, speaker, words.
const CUES: [(u64, u64, &str, &str); 3] = [
    (
        0,
        2_100,
        "R&D <Lead>",
        "Ship it <now> & then --> next  CFO: approved",
    ),
    (2_300, 3_300, "Bob", "Agreed."),
    (3_600_005, 3_601_500, "Ada", "An hour in."),
];

/// The cues of `body` as the reference parser of `kind` (`srt`, `vtt`) reads them.
fn parsed(kind: &str, body: &str) -> Vec<Value> {
    let root = xtask::local::repo_root();
    let venv = std::env::var_os("VIRTUAL_ENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv"));
    let python = venv.join("bin/python3");
    assert!(
        python.is_file(),
        "{} is missing: run `. scripts/python-env.sh` once (it installs srt and webvtt-py)",
        python.display()
    );
    let file = std::env::temp_dir().join(format!("export-{}.{kind}", uuid::Uuid::new_v4()));
    std::fs::write(&file, body).unwrap();
    let out = std::process::Command::new(python)
        .arg(root.join("scripts/parse_subtitles.py"))
        .arg(kind)
        .arg(&file)
        .output()
        .expect("run scripts/parse_subtitles.py");
    let _ = std::fs::remove_file(&file);
    assert!(
        out.status.success(),
        "the {kind} parser refused the export: {}\n{body}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

#[tokio::test]
async fn a_completed_meeting_exports_every_format_and_the_parsers_read_its_cues() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;

    // Running: no transcript yet.
    let (status, content_type, body) = s.export_as(Some(&s.key), &id, Some("vtt")).await;
    assert_eq!((status, content_type.as_str()), (404, "application/json"));
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"], "not_found");
    assert_eq!(
        body["detail"],
        format!("Bot session {id} has no transcript yet.")
    );

    s.stop_bot(&id).await;
    s.drain(Duration::from_millis(500)).await;
    let (status, accepted) = s.report_exit(&id, &segments()).await;
    assert_eq!(status, 202, "{accepted}");
    let done = s.until_settled(&id, Duration::from_secs(20)).await;
    assert_eq!(done["status"], "completed");

    let mut bodies = Vec::new();
    for format in ExportFormat::ALL {
        let (status, content_type, body) =
            s.export_as(Some(&s.key), &id, Some(format.as_str())).await;
        assert_eq!(status, 200, "{format:?}: {body}");
        assert_eq!(content_type, format.content_type());
        bodies.push((format, body));
    }
    let body = |f: ExportFormat| bodies.iter().find(|(g, _)| *g == f).unwrap().1.clone();

    let stored: Vec<Segment> = serde_json::from_str(&body(ExportFormat::Json)).unwrap();
    assert_eq!(stored, segments(), "the segments as reported");
    assert_eq!(
        s.export_as(Some(&s.key), &id, None).await.2,
        body(ExportFormat::Json),
        "json without a format"
    );
    assert_eq!(
        body(ExportFormat::Txt),
        done["transcript"].as_str().unwrap(),
        "the status route's text form"
    );

    let srt = parsed("srt", &body(ExportFormat::Srt));
    let vtt = parsed("vtt", &body(ExportFormat::Vtt));
    assert_eq!(srt.len(), CUES.len(), "{srt:?}");
    assert_eq!(vtt.len(), CUES.len(), "{vtt:?}");
    for (i, (start, end, speaker, text)) in CUES.into_iter().enumerate() {
        assert_eq!(
            srt[i],
            json!({"start_ms": start, "end_ms": end, "text": format!("{speaker}: {text}"), "voice": null})
        );
        assert_eq!(
            vtt[i],
            json!({"start_ms": start, "end_ms": end, "text": text, "voice": speaker})
        );
    }

    let md = body(ExportFormat::Md);
    assert!(md.starts_with("# Transcript\n\n"), "{md}");
    assert!(
        md.contains("**R\\&D \\<Lead\\>** (00:00): Ship it \\<now\\> \\& then --\\> next  CFO: approved\n\n**Bob** (00:02): Agreed.\n\n**Ada** (1:00:00): An hour in.\n"),
        "{md}"
    );
}

#[tokio::test]
async fn export_refusals_answer_pailflow_errors_and_change_nothing() {
    let s = Stack::start(Options::default()).await;
    let id = s.join_meeting(&unique_email(), "", json!({})).await;
    s.stop_bot(&id).await;
    s.drain(Duration::from_millis(500)).await;
    let (status, _) = s.report_exit(&id, &segments()).await;
    assert_eq!(status, 202);
    s.until_settled(&id, Duration::from_secs(20)).await;

    let error = |(status, content_type, body): (u16, String, String)| {
        assert_eq!(content_type, "application/json");
        (status, serde_json::from_str::<Value>(&body).unwrap())
    };
    let (status, body) = error(s.export_as(Some(&s.key), &id, Some("xml")).await);
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
    assert_eq!(
        body["detail"],
        "Unknown transcript format 'xml'; use one of: json, txt, srt, vtt, md."
    );
    // The handler holds no queue; the table is what it could change, and must not.
    let before = s.env.items().await;
    for format in [None, Some("vtt"), Some("xml")] {
        let expect = if format == Some("xml") { 400 } else { 404 };
        let (status, body) = error(s.export_as(Some(&s.other), &id, format).await);
        assert_eq!(status, expect, "{body}");
        if expect == 404 {
            assert_eq!(body["error"], "not_found");
            assert_eq!(body["detail"], format!("Bot session {id} not found"));
        }
    }
    assert_eq!(s.env.items().await, before, "an export writes nothing");
    let (status, body) = error(s.export_as(None, &id, Some("vtt")).await);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("authentication_error"))
    );
    let unknown = domain::BotId::new().to_string();
    let (status, body) = error(s.export_as(Some(&s.key), &unknown, Some("vtt")).await);
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
}
