//! The delivery log of a session (`GET /api/bot/{bot_id}/deliveries`) and redeliveries
//! (`POST …/deliveries/{delivery_id}/redeliver`): every email and webhook a session owes or
//! owed, each under a stable id, and the rules for sending one again.

use crate::delivery::{DeliveryState, EmailDelivery, Origin, WebhookAttempt, WebhookDelivery};
use crate::rfc3339::format;
use crate::{Session, WebhookUrl};
use serde::Serialize;
use std::fmt;
use time::OffsetDateTime;

/// Redeliveries a session may ask for in all; each keeps its own attempt history on the
/// session item, which must stay well under DynamoDB's 400 KB.
pub const MAX_REDELIVERIES: usize = 10;

/// Which of a session's deliveries: its email, its final webhook, the `n`-th webhook after
/// it (`status_change`, `insights_updated`, redeliveries), or the `n`-th email after its
/// own. Spelled `email`, `webhook`, `event-<n>`, `email-<n>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryId {
    Email,
    Webhook,
    Event(usize),
    LaterEmail(usize),
}

impl DeliveryId {
    /// `None` for anything that is not a delivery id's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        let index = |n: &str| {
            (!n.is_empty() && n.len() <= 4 && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().ok())
                .flatten()
        };
        match s {
            "email" => Some(DeliveryId::Email),
            "webhook" => Some(DeliveryId::Webhook),
            _ => match s.split_once('-')? {
                ("event", n) => index(n).map(DeliveryId::Event),
                ("email", n) => index(n).map(DeliveryId::LaterEmail),
                _ => None,
            },
        }
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeliveryId::Email => f.write_str("email"),
            DeliveryId::Webhook => f.write_str("webhook"),
            DeliveryId::Event(i) => write!(f, "event-{i}"),
            DeliveryId::LaterEmail(i) => write!(f, "email-{i}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Webhook,
}

/// One delivery as the log shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LogEntry {
    pub delivery_id: String,
    pub channel: Channel,
    pub event: &'static str,
    pub webhook_id: Option<String>,
    pub url: Option<String>,
    pub to: Option<String>,
    pub state: DeliveryState,
    pub attempts: u32,
    pub created_at: Option<String>,
    pub delivered_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub history: Vec<WebhookAttempt>,
    /// The delivery this one sends again, for a redelivery.
    pub redelivers: Option<String>,
    /// The insights version an `insights_updated` delivery tells about.
    pub insights_version: Option<u32>,
}

/// A new delivery asked for by the customer, ready to be appended to the session.
#[derive(Clone, Debug, PartialEq)]
pub enum Redelivery {
    Webhook(WebhookDelivery),
    Email(EmailDelivery),
}

impl Redelivery {
    /// The id the new delivery will have once appended to `session`.
    pub fn id_on(&self, session: &Session) -> DeliveryId {
        match self {
            Redelivery::Webhook(_) => DeliveryId::Event(session.event_deliveries.len()),
            Redelivery::Email(_) => DeliveryId::LaterEmail(session.later_emails.len()),
        }
    }
}

/// Why a redelivery is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RedeliveryRefused {
    #[error("Delivery '{0}' not found")]
    NotFound(String),
    #[error("Delivery '{0}' is still being delivered; it can be sent again once it is delivered or has failed")]
    InProgress(String),
    #[error("A redelivery of '{0}' is still being delivered")]
    AlreadyRedelivering(String),
    #[error(
        "This bot's deliveries were sent again {MAX_REDELIVERIES} times, the most a bot allows"
    )]
    TooMany,
    #[error("Field 'url' applies to webhook deliveries only")]
    UrlForEmail,
}

fn settled(state: DeliveryState) -> bool {
    matches!(state, DeliveryState::Delivered | DeliveryState::Failed)
}

fn time(t: Option<OffsetDateTime>) -> Option<String> {
    t.map(format)
}

impl Session {
    /// Every delivery of the session, in the order they were owed.
    pub fn delivery_log(&self) -> Vec<LogEntry> {
        let mut log = Vec::new();
        let created = self.completed_at;
        if let Some(email) = &self.email_delivery {
            log.push(self.email_entry(DeliveryId::Email, email, created));
        }
        if let Some(hook) = &self.webhook_delivery {
            log.push(self.webhook_entry(DeliveryId::Webhook, hook, created));
        }
        for (i, hook) in self.event_deliveries.iter().enumerate() {
            let created = hook.change.map(|c| c.at);
            log.push(self.webhook_entry(DeliveryId::Event(i), hook, created));
        }
        for (i, email) in self.later_emails.iter().enumerate() {
            log.push(self.email_entry(DeliveryId::LaterEmail(i), email, None));
        }
        log
    }

    fn email_entry(
        &self,
        id: DeliveryId,
        d: &EmailDelivery,
        created: Option<OffsetDateTime>,
    ) -> LogEntry {
        let event = match d.origin.insights_version {
            Some(_) => "insights_updated",
            None if self.phase == crate::Phase::Failed && self.exit.is_none() => "bot_join_failed",
            None => "session_complete",
        };
        LogEntry {
            delivery_id: id.to_string(),
            channel: Channel::Email,
            event,
            webhook_id: None,
            url: None,
            to: Some(d.to.as_str().to_owned()),
            state: d.state,
            attempts: d.attempts,
            created_at: time(d.origin.created_at.or(created)),
            delivered_at: time(d.sent_at),
            next_attempt_at: None,
            history: d.history.clone(),
            redelivers: d.origin.redelivers.clone(),
            insights_version: d.origin.insights_version,
        }
    }

    fn webhook_entry(
        &self,
        id: DeliveryId,
        d: &WebhookDelivery,
        created: Option<OffsetDateTime>,
    ) -> LogEntry {
        LogEntry {
            delivery_id: id.to_string(),
            channel: Channel::Webhook,
            event: d.event.as_str(),
            webhook_id: Some(d.webhook_id.clone()),
            url: d
                .url
                .as_ref()
                .or(self.webhook_url.as_ref())
                .map(ToString::to_string),
            to: None,
            state: d.state,
            attempts: d.attempts,
            created_at: time(d.origin.created_at.or(created)),
            delivered_at: time(d.delivered_at),
            next_attempt_at: time(d.next_attempt_at),
            history: d.history.clone(),
            redelivers: d.origin.redelivers.clone(),
            insights_version: d.origin.insights_version,
        }
    }

    /// A webhook delivery by id.
    pub fn webhook(&self, id: DeliveryId) -> Option<&WebhookDelivery> {
        match id {
            DeliveryId::Webhook => self.webhook_delivery.as_ref(),
            DeliveryId::Event(i) => self.event_deliveries.get(i),
            _ => None,
        }
    }

    /// An email delivery by id.
    pub fn email_of(&self, id: DeliveryId) -> Option<&EmailDelivery> {
        match id {
            DeliveryId::Email => self.email_delivery.as_ref(),
            DeliveryId::LaterEmail(i) => self.later_emails.get(i),
            _ => None,
        }
    }

    /// The delivery that sends `id` again, with the same `webhook-id` and payload (to
    /// `url` instead of the original's address, when given). Refused while the original,
    /// or an earlier redelivery of it, is still being delivered: one of them sends, never
    /// both at once.
    pub fn redelivery(
        &self,
        id: DeliveryId,
        url: Option<WebhookUrl>,
        at: OffsetDateTime,
    ) -> Result<Redelivery, RedeliveryRefused> {
        let name = id.to_string();
        let origin = Origin {
            redelivers: Some(name.clone()),
            created_at: Some(at),
            insights_version: None,
        };
        let redeliveries = self
            .event_deliveries
            .iter()
            .map(|d| (&d.origin, d.state))
            .chain(self.later_emails.iter().map(|d| (&d.origin, d.state)));
        let mut count = 0;
        for (o, state) in redeliveries.filter(|(o, _)| o.redelivers.is_some()) {
            count += 1;
            if o.redelivers.as_deref() == Some(name.as_str()) && !settled(state) {
                return Err(RedeliveryRefused::AlreadyRedelivering(name));
            }
        }
        let redelivery = if let Some(original) = self.webhook(id) {
            if !settled(original.state) {
                return Err(RedeliveryRefused::InProgress(name));
            }
            Redelivery::Webhook(WebhookDelivery {
                url: url.or_else(|| original.url.clone()),
                origin: Origin {
                    insights_version: original.origin.insights_version,
                    ..origin
                },
                ..WebhookDelivery::new(original.event, self.bot_id)
            })
            .with_identity_of(original)
        } else if let Some(original) = self.email_of(id) {
            if url.is_some() {
                return Err(RedeliveryRefused::UrlForEmail);
            }
            if !settled(original.state) {
                return Err(RedeliveryRefused::InProgress(name));
            }
            Redelivery::Email(EmailDelivery {
                origin: Origin {
                    insights_version: original.origin.insights_version,
                    ..origin
                },
                ..EmailDelivery::pending(original.to.clone())
            })
        } else {
            return Err(RedeliveryRefused::NotFound(name));
        };
        if count >= MAX_REDELIVERIES {
            return Err(RedeliveryRefused::TooMany);
        }
        Ok(redelivery)
    }
}

impl Redelivery {
    /// The same event as `original`: its `webhook-id` and, for a `status_change`, its change.
    fn with_identity_of(self, original: &WebhookDelivery) -> Self {
        match self {
            Redelivery::Webhook(d) => Redelivery::Webhook(WebhookDelivery {
                webhook_id: original.webhook_id.clone(),
                change: original.change,
                ..d
            }),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests;
