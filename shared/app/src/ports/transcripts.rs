//! Transcripts, stored next to their session under the id of the exit that reported them.

use super::StoreError;
use domain::session::ExitRecord;
use domain::{BotId, Transcript};
use std::future::Future;

pub trait TranscriptStore: Send + Sync {
    /// Stores the transcript (compressed, chunked) under the exit id; returns the chunk count.
    fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Removes chunks stored for an exit that was then not recorded.
    fn delete_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        chunks: u32,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    fn load_transcript(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> impl Future<Output = Result<Transcript, StoreError>> + Send;
}
