//! Transcripts: gzip'd JSON in chunks of at most 300 KB under the exit's id, so a 4-hour
//! meeting fits in DynamoDB's 400 KB items. Written before the exit is recorded; chunks of
//! an exit that was then refused are removed.

use super::codec::{blob, decode_transcript, encode_transcript, n, s, TRANSCRIPT_CHUNK_BYTES};
use super::keys::{
    bot_pk, transcript_prefix, transcript_sk, INSIGHTS_SK_PREFIX, RESULT_SK, TRANSCRIPT_SK_PREFIX,
    TTL_ATTRIBUTE,
};
use super::{DynamoStore, SortKey};
use app::ports::{StoreError, TranscriptStore};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use domain::session::{DataDeleted, ExitRecord};
use domain::{BotId, Session, Transcript};
use time::OffsetDateTime;

impl TranscriptStore for DynamoStore {
    async fn save_transcript(
        &self,
        id: BotId,
        exit_id: &str,
        transcript: &Transcript,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<u32, StoreError> {
        let compressed = encode_transcript(transcript)?;
        let chunks: Vec<&[u8]> = compressed.chunks(TRANSCRIPT_CHUNK_BYTES).collect();
        let total = chunks.len() as u32;
        for (i, chunk) in (0u32..).zip(chunks) {
            let mut put = self
                .client
                .put_item()
                .table_name(&*self.table)
                .item("pk", s(bot_pk(id)))
                .item("sk", s(transcript_sk(exit_id, i)))
                .item("data", AttributeValue::B(Blob::new(chunk.to_vec())))
                .item("chunk", n(i))
                .item("chunks", n(total));
            if let Some(at) = expires_at {
                put = put.item(TTL_ATTRIBUTE, n(at.unix_timestamp()));
            }
            put.send()
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

    async fn delete_data(&self, session: &Session) -> Result<DataDeleted, StoreError> {
        let pk = bot_pk(session.bot_id);
        let (mut transcript_chunks, mut results) = (0, 0);
        // Every item of the bot but the session itself: the chunks of every exit (a
        // refused exit's leftovers too) and the results.
        for sk in self.partition_keys(pk.clone()).await? {
            let counter = if sk.starts_with(TRANSCRIPT_SK_PREFIX) {
                &mut transcript_chunks
            } else if sk == RESULT_SK || sk.starts_with(INSIGHTS_SK_PREFIX) {
                &mut results
            } else {
                continue;
            };
            let out = self
                .client
                .delete_item()
                .table_name(&*self.table)
                .key("pk", s(pk.clone()))
                .key("sk", s(sk))
                .return_values(ReturnValue::AllOld)
                .send()
                .await
                .map_err(|e| StoreError::unavailable("delete session data", e))?;
            // Another deletion (or the TTL sweep) may have removed it meanwhile.
            if out.attributes.is_some_and(|a| !a.is_empty()) {
                *counter += 1;
            }
        }
        Ok(DataDeleted {
            at: domain::now(),
            transcript_chunks,
            results,
            deliveries: 0,
        })
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
