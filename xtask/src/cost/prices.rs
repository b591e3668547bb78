//! The price table of `make cost`, in one place: AWS list prices, us-east-1, on-demand,
//! past every free tier, and the peers' published per-hour prices. Change them here (with
//! the date) when the prices change.

/// When the prices below were taken.
pub const PRICES_DATE: &str = "2025-11 list prices";
pub const REGION: &str = "us-east-1";

/// Lambda, arm64: per GB-second of billed duration (rounded up to 1 ms) and per request.
pub const LAMBDA_GB_SECOND: f64 = 0.000_013_333_4;
pub const LAMBDA_REQUEST: f64 = 0.20 / 1e6;
/// DynamoDB on-demand (since the November 2024 price cut): per write and read request unit.
pub const DYNAMODB_WRU: f64 = 0.625 / 1e6;
pub const DYNAMODB_RRU: f64 = 0.125 / 1e6;
/// SQS standard queue: per request (each 64 KB chunk of a payload is a request).
pub const SQS_REQUEST: f64 = 0.40 / 1e6;
/// SES: per outbound message.
pub const SES_MESSAGE: f64 = 0.10 / 1e3;
/// API Gateway HTTP API: per request (first 300 million a month; each 512 KB is one).
pub const HTTP_API_REQUEST: f64 = 1.00 / 1e6;
/// KMS: per request (Encrypt, Decrypt); Secrets Manager: per API call.
pub const KMS_REQUEST: f64 = 0.03 / 1e4;
pub const SECRETS_REQUEST: f64 = 0.05 / 1e4;
/// CloudWatch Logs: per GB ingested (standard class). EMF metrics are custom metrics billed
/// per metric per month ($0.30 each for the first 10,000), not per meeting: with
/// dimensions that do not grow with bots, their cost is fixed and is not in the table.
pub const LOGS_GB: f64 = 0.50;

/// The peers' published prices per hour of meeting (their bot and media included, which
/// ours is not: Pipecat Cloud runs our bot and bills it separately).
pub const RECALL_PER_HOUR: f64 = 0.50;
pub const RECALL_SOURCE: &str = "Recall.ai pay-as-you-go bot recording, $0.50 per hour";
pub const PIPECAT_PER_HOUR: f64 = 0.60;
pub const PIPECAT_SOURCE: &str = "Pipecat Cloud agent-1x active session, $0.01 per minute";
