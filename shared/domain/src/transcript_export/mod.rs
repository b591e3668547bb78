//! A transcript as a file: JSON, plain text, SubRip, WebVTT or Markdown (the export route).
//! Pure rendering, linear in the transcript's size. A line break inside a segment never
//! breaks a format: it is written as a space, as [`Transcript::to_text`] does, so a
//! segment cannot end a cue or forge another speaker's line.

mod cues;
mod markdown;
mod subtitles;

#[cfg(test)]
mod tests;

use crate::Transcript;

/// The formats a transcript is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// The segments as stored: `speaker`, `text`, `start_ms`, `end_ms`.
    Json,
    /// The `Speaker: words` text form of the status route.
    Txt,
    /// SubRip: numbered cues, `HH:MM:SS,mmm` timings, the text prefixed by the speaker.
    Srt,
    /// WebVTT: `HH:MM:SS.mmm` timings, the speaker in a `<v …>` voice tag.
    Vtt,
    /// Markdown: a heading and one paragraph per speaker turn.
    Md,
}

/// A format the export does not know; its message names the ones it does.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("Unknown transcript format '{0}'; use one of: json, txt, srt, vtt, md.")]
pub struct UnknownFormat(pub String);

impl ExportFormat {
    pub const ALL: [ExportFormat; 5] = [
        ExportFormat::Json,
        ExportFormat::Txt,
        ExportFormat::Srt,
        ExportFormat::Vtt,
        ExportFormat::Md,
    ];

    /// The format of a request that names none.
    pub const DEFAULT: ExportFormat = ExportFormat::Json;

    /// Exactly one of the lowercase names; anything else is refused (shown up to 40
    /// characters in the error).
    pub fn parse(s: &str) -> Result<Self, UnknownFormat> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFormat(s.chars().take(40).collect()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Json => "json",
            ExportFormat::Txt => "txt",
            ExportFormat::Srt => "srt",
            ExportFormat::Vtt => "vtt",
            ExportFormat::Md => "md",
        }
    }

    /// The `Content-Type` of the rendered file.
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Json => "application/json",
            ExportFormat::Txt => "text/plain; charset=utf-8",
            ExportFormat::Srt => "application/x-subrip; charset=utf-8",
            ExportFormat::Vtt => "text/vtt; charset=utf-8",
            ExportFormat::Md => "text/markdown; charset=utf-8",
        }
    }

    pub fn render(self, transcript: &Transcript) -> String {
        match self {
            ExportFormat::Json => json(transcript),
            ExportFormat::Txt => transcript.to_text(),
            ExportFormat::Srt => subtitles::srt(transcript),
            ExportFormat::Vtt => subtitles::vtt(transcript),
            ExportFormat::Md => markdown::markdown(transcript),
        }
    }
}

/// The segments array exactly as stored (JSON escapes line breaks itself).
pub fn json(transcript: &Transcript) -> String {
    serde_json::to_string(transcript.segments()).expect("segments always serialise")
}

pub use markdown::markdown;
pub use subtitles::{srt, vtt};
