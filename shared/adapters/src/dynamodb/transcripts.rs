//! Transcripts: gzip'd JSON in chunks of at most 300 KB under the exit's id, so a 4-hour
//! meeting fits in DynamoDB's 400 KB items. Written before the exit is recorded; chunks of
//! an exit that was then refused are removed.

use super::codec::{blob, decode_transcript, encode_transcript, n, s, TRANSCRIPT_CHUNK_BYTES};
use super::keys::{bot_pk, transcript_prefix, transcript_sk};
use super::{DynamoStore, SortKey};
use app::ports::{StoreError, TranscriptStore};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::session::ExitRecord;
use domain::{BotId, Transcript};

impl TranscriptStore for DynamoStore {
    async fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
    ) -> Result<u32, StoreError> {
        let compressed = encode_transcript(transcript)?;
        let chunks: Vec<&[u8]> = compressed.chunks(TRANSCRIPT_CHUNK_BYTES).collect();
        let total = chunks.len() as u32;
        for (i, chunk) in (0u32..).zip(chunks) {
            self.client
                .put_item()
                .table_name(&*self.table)
                .item("pk", s(bot_pk(id)))
                .item("sk", s(transcript_sk(exit_id, i)))
                .item("data", AttributeValue::B(Blob::new(chunk.to_vec())))
                .item("chunk", n(i))
                .item("chunks", n(total))
                .send()
                .await
                .map_err(|e| StoreError::unavailable("put transcript chunk", e))?;
        }
        Ok(total)
    }

    async fn delete_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        chunks: u32,
    ) -> Result<(), StoreError> {
        for i in 0..chunks {
            self.client
                .delete_item()
                .table_name(&*self.table)
                .key("pk", s(bot_pk(id)))
                .key("sk", s(transcript_sk(exit_id, i)))
                .send()
                .await
                .map_err(|e| StoreError::unavailable("delete transcript chunk", e))?;
        }
        Ok(())
    }

    async fn load_transcript(
        &self,
        id: BotId,
        exit: &ExitRecord,
    ) -> Result<Transcript, StoreError> {
        let items = self
            .query_partition(
                bot_pk(id),
                Some(SortKey::Prefix(&transcript_prefix(&exit.exit_id))),
            )
            .await?;
        if items.len() != exit.chunks as usize {
            return Err(StoreError::corrupt(
                "transcript",
                format!("{} of {} chunks found", items.len(), exit.chunks),
            ));
        }
        let bytes = items
            .iter()
            .map(|item| blob(item, "data"))
            .collect::<Result<Vec<_>, _>>()?;
        decode_transcript(&bytes)
    }
}
