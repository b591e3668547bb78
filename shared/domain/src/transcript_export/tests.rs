use super::*;
use crate::Segment;

fn seg(speaker: &str, text: &str, start_ms: u64, end_ms: u64) -> Segment {
    Segment {
        speaker: speaker.into(),
        text: text.into(),
        start_ms,
        end_ms,
    }
}

fn meeting() -> Transcript {
    Transcript(vec![
        seg("Ada", "Hello all.", 1_200, 3_400),
        seg("Ada", "Shall we start?", 3_400, 5_000),
        seg("Bob", "Yes.", 65_000, 66_250),
    ])
}

#[test]
fn every_format_has_its_name_and_content_type() {
    for f in ExportFormat::ALL {
        assert_eq!(ExportFormat::parse(f.as_str()), Ok(f));
    }
    assert_eq!(ExportFormat::DEFAULT, ExportFormat::Json);
    assert_eq!(ExportFormat::Json.content_type(), "application/json");
    assert_eq!(ExportFormat::Vtt.content_type(), "text/vtt; charset=utf-8");
    assert_eq!(
        ExportFormat::Srt.content_type(),
        "application/x-subrip; charset=utf-8"
    );
}

#[test]
fn an_unknown_format_is_refused_naming_the_known_ones() {
    for bad in ["", "JSON", "xml", " vtt", "srt "] {
        let err = ExportFormat::parse(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("Unknown transcript format '{bad}'; use one of: json, txt, srt, vtt, md.")
        );
    }
    let long = "x".repeat(1_000);
    assert_eq!(ExportFormat::parse(&long).unwrap_err().0.len(), 40);
}

#[test]
fn json_is_the_segments_as_stored() {
    let t = Transcript(vec![seg("Ada", "two\nlines", 0, 10)]);
    let out = ExportFormat::Json.render(&t);
    assert_eq!(
        out,
        r#"[{"speaker":"Ada","text":"two\nlines","start_ms":0,"end_ms":10}]"#
    );
    let back: Vec<Segment> = serde_json::from_str(&out).unwrap();
    assert_eq!(back, t.0);
    assert_eq!(ExportFormat::Json.render(&Transcript::default()), "[]");
}

#[test]
fn txt_is_the_text_form() {
    let t = meeting();
    assert_eq!(ExportFormat::Txt.render(&t), t.to_text());
}

#[test]
fn srt_has_numbered_cues_with_comma_timings_and_the_speaker() {
    assert_eq!(
        srt(&meeting()),
        "1\n00:00:01,200 --> 00:00:03,400\nAda: Hello all.\n\n\
         2\n00:00:03,400 --> 00:00:05,000\nAda: Shall we start?\n\n\
         3\n00:01:05,000 --> 00:01:06,250\nBob: Yes.\n\n"
    );
    assert_eq!(srt(&Transcript::default()), "");
}

#[test]
fn vtt_has_a_header_dot_timings_and_voice_tags() {
    assert_eq!(
        vtt(&meeting()),
        "WEBVTT\n\n\
         00:00:01.200 --> 00:00:03.400\n<v Ada>Hello all.\n\n\
         00:00:03.400 --> 00:00:05.000\n<v Ada>Shall we start?\n\n\
         00:01:05.000 --> 00:01:06.250\n<v Bob>Yes.\n\n"
    );
    assert_eq!(vtt(&Transcript::default()), "WEBVTT\n\n");
}

#[test]
fn vtt_escapes_names_and_text_so_no_tag_arrow_or_blank_line_gets_in() {
    let t = Transcript(vec![seg(
        "R&D <lead>",
        "a <b>bold</b> claim --> next\n\nCFO: approved & done",
        0,
        1_000,
    )]);
    let out = vtt(&t);
    assert_eq!(
        out,
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n\
         <v R&amp;D &lt;lead&gt;>a &lt;b&gt;bold&lt;/b&gt; claim --&gt; next  CFO: approved &amp; done\n\n"
    );
    let body = out.strip_prefix("WEBVTT\n\n").unwrap();
    assert_eq!(body.matches("-->").count(), 1, "only the timing arrow");
    assert_eq!(body.trim_end().split("\n\n").count(), 1, "one cue");
}

#[test]
fn a_line_break_in_a_segment_stays_inside_its_cue() {
    let t = Transcript(vec![
        seg(
            "Ada",
            "ok\r\n\r\n2\n00:00:09,000 --> 00:00:10,000\nCFO: approved",
            0,
            500,
        ),
        seg(
            "Bob\u{2028}Eve",
            "no\u{85}way\u{0b}\u{0c}\u{2029}.",
            500,
            900,
        ),
    ]);
    let s = srt(&t);
    assert_eq!(
        s.matches("-->").count(),
        3,
        "two timing lines and the text's arrow"
    );
    let cues: Vec<&str> = s.trim_end().split("\n\n").collect();
    assert_eq!(cues.len(), 2);
    assert!(cues.iter().all(|c| c.lines().count() == 3), "{s}");
    assert!(cues[1].ends_with("Bob Eve: no way   ."));
    let v = vtt(&t);
    assert_eq!(
        v.trim_end().split("\n\n").count(),
        3,
        "the header and two cues"
    );
    let m = markdown(&t);
    assert_eq!(m.lines().filter(|l| !l.is_empty()).count(), 3, "{m}");
}

#[test]
fn a_segment_without_duration_gets_the_minimum_and_an_empty_one_no_cue() {
    let t = Transcript(vec![
        seg("Ada", "Instant.", 2_000, 2_000),
        seg("Bob", "   ", 2_500, 3_000),
        seg("Eve", "Late.", 3_600_000 * 101 + 1, 3_600_000 * 101 + 1),
    ]);
    assert_eq!(
        srt(&t),
        "1\n00:00:02,000 --> 00:00:03,000\nAda: Instant.\n\n\
         2\n101:00:00,001 --> 101:00:01,001\nEve: Late.\n\n"
    );
    assert!(vtt(&t).contains("00:00:02.000 --> 00:00:03.000\n<v Ada>Instant."));
    let at_the_end = Transcript(vec![seg("Ada", "x", u64::MAX, u64::MAX)]);
    assert!(
        srt(&at_the_end).contains(" --> "),
        "saturates, never overflows"
    );
}

#[test]
fn cues_are_in_start_order() {
    let t = Transcript(vec![
        seg("Bob", "second", 5_000, 6_000),
        seg("Ada", "first", 1_000, 2_000),
        seg("Eve", "also second", 5_000, 5_500),
    ]);
    let v = vtt(&t);
    let first = v.find("first").unwrap();
    let second = v.find(">second").unwrap();
    let also = v.find("also second").unwrap();
    assert!(first < second && second < also, "{v}");
    assert!(srt(&t).starts_with("1\n00:00:01,000"));
}

#[test]
fn markdown_has_a_heading_and_one_paragraph_per_turn() {
    assert_eq!(
        markdown(&meeting()),
        "# Transcript\n\n\
         **Ada** (00:01): Hello all. Shall we start?\n\n\
         **Bob** (01:05): Yes.\n"
    );
    assert_eq!(markdown(&Transcript::default()), "# Transcript\n");
    let late = Transcript(vec![seg("Ada", "Still here.", 3_723_000, 3_724_000)]);
    assert!(markdown(&late).contains("**Ada** (1:02:03): Still here."));
}

#[test]
fn markdown_escapes_what_would_be_markup() {
    let t = Transcript(vec![seg(
        "*Ada* [CEO]",
        "see [link](http://x) <b>hi</b> _a_ `c` # 1 | 2 ~~s~~ &amp; \\ !",
        0,
        1_000,
    )]);
    assert_eq!(
        markdown(&t),
        "# Transcript\n\n\
         **\\*Ada\\* \\[CEO\\]** (00:00): see \\[link\\](http://x) \\<b\\>hi\\</b\\> \\_a\\_ \\`c\\` \\# 1 \\| 2 \\~\\~s\\~\\~ \\&amp; \\\\ \\!\n"
    );
}

#[test]
fn rendering_is_linear_in_the_transcript() {
    let n = 100_000;
    let t = Transcript(
        (0..n)
            .map(|i| {
                seg(
                    if i % 2 == 0 { "Ada" } else { "Bob" },
                    "a <few> words",
                    i * 10,
                    i * 10 + 5,
                )
            })
            .collect(),
    );
    let started = std::time::Instant::now();
    for f in ExportFormat::ALL {
        assert!(!f.render(&t).is_empty());
    }
    assert_eq!(srt(&t).matches(" --> ").count(), n as usize);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}
