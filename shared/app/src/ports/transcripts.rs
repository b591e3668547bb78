//! Transcripts, stored next to their session under the id of the exit that reported them.

use super::StoreError;
use domain::session::{DataDeleted, ExitRecord};
use domain::Session;
use domain::{BotId, Transcript};
use std::future::Future;
use time::OffsetDateTime;

pub trait TranscriptStore: Send + Sync {
    /// Stores the transcript (compressed, chunked) under the exit id; returns the chunk
    /// count. With `expires_at`, the store removes the chunks then (DynamoDB's TTL).
    fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
        expires_at: Option<OffsetDateTime>,
    ) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Removes a session's transcript and results (the customer's deletion): returns how
    /// many of each were there to remove. Removing what is already gone is no error.
    fn delete_data(
        &self,
        session: &Session,
    ) -> impl Future<Output = Result<DataDeleted, StoreError>> + Send;

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
