//! How values become attributes: strings and numbers, serde documents, timestamps in
//! milliseconds (so conditions can compare them), and gzip'd binary for transcripts and
//! results, chunked to stay well under DynamoDB's 400 KB item limit.

use super::keys::Item;
use app::ports::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::Transcript;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::io::{Read, Write};
use time::OffsetDateTime;

/// Compressed transcript bytes per item: well under DynamoDB's 400 KB item limit.
pub const TRANSCRIPT_CHUNK_BYTES: usize = 300 * 1024;

pub(super) fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub(super) fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub(super) fn to_av<T: serde::Serialize>(value: &T) -> Result<AttributeValue, StoreError> {
    serde_dynamo::to_attribute_value(value).map_err(|e| StoreError::corrupt("attribute", e))
}

pub(super) fn millis(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

pub(super) fn rfc3339(t: OffsetDateTime) -> AttributeValue {
    s(domain::rfc3339::format(t))
}

/// Stored results (Q&A pairs and insights): gzip'd JSON.
pub(super) fn encode_analysis(
    analysis: &domain::insights::Analysis,
) -> Result<AttributeValue, StoreError> {
    let json = serde_json::to_vec(analysis).map_err(|e| StoreError::corrupt("result", e))?;
    Ok(AttributeValue::B(aws_sdk_dynamodb::primitives::Blob::new(
        gzip(&json),
    )))
}

pub(super) fn decode_analysis(item: &Item) -> Result<domain::insights::Analysis, StoreError> {
    let json = gunzip(&blob(item, "data")?)?;
    serde_json::from_slice(&json).map_err(|e| StoreError::corrupt("result", e))
}

pub(super) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 3),
        flate2::Compression::new(6),
    );
    enc.write_all(bytes).expect("writing to memory cannot fail");
    enc.finish().expect("writing to memory cannot fail")
}

pub(super) fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, StoreError> {
    let mut out = Vec::with_capacity(bytes.len() * 4);
    GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| StoreError::corrupt("compressed item", e))?;
    Ok(out)
}

/// The binary attribute `attr` of an item.
pub(super) fn blob(item: &Item, attr: &str) -> Result<Vec<u8>, StoreError> {
    match item.get(attr) {
        Some(AttributeValue::B(b)) => Ok(b.as_ref().to_vec()),
        _ => Err(StoreError::corrupt(
            "item",
            format!("attribute {attr} is not binary"),
        )),
    }
}

/// The string attribute `attr` of an item.
pub(super) fn string<'a>(item: &'a Item, attr: &str) -> Option<&'a str> {
    match item.get(attr) {
        Some(AttributeValue::S(v)) => Some(v),
        _ => None,
    }
}

/// The compressed JSON of a transcript.
pub(super) fn encode_transcript(transcript: &Transcript) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(transcript).map_err(|e| StoreError::corrupt("transcript", e))?;
    Ok(gzip(&json))
}

/// A transcript from its chunks, in order.
pub(super) fn decode_transcript(chunks: &[Vec<u8>]) -> Result<Transcript, StoreError> {
    let json = gunzip(&chunks.concat())?;
    serde_json::from_slice(&json).map_err(|e| StoreError::corrupt("transcript", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::Segment;

    #[test]
    fn a_transcript_survives_compression_and_chunking() {
        let transcript = Transcript(
            (0..2000)
                .map(|i| Segment {
                    speaker: format!("Speaker {}", i % 7),
                    text: format!("sentence number {i} with some words in it"),
                    start_ms: i * 1000,
                    end_ms: i * 1000 + 900,
                })
                .collect(),
        );
        let bytes = encode_transcript(&transcript).unwrap();
        let chunks: Vec<Vec<u8>> = bytes.chunks(1000).map(<[u8]>::to_vec).collect();
        assert!(chunks.len() > 1);
        assert_eq!(decode_transcript(&chunks).unwrap(), transcript);
    }

    #[test]
    fn garbage_is_reported_as_corrupt() {
        assert!(matches!(
            decode_transcript(&[b"not gzip".to_vec()]),
            Err(StoreError::Corrupt { .. })
        ));
    }
}
