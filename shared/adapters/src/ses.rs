//! SES: sends the composed email as one raw MIME message (multipart/alternative, plain text
//! and HTML), so what the emulator records is exactly what a recipient would receive.

use crate::aws::LazyClient;
use app::errors::Chain;
use app::ports::{MailError, Mailer, OutgoingEmail};
use aws_sdk_ses::error::ProvideErrorMetadata;
use aws_sdk_ses::primitives::Blob;
use aws_sdk_ses::types::RawMessage;
use aws_sdk_ses::Client;
use lettre::message::{header, Mailbox, MultiPart};
use std::sync::Arc;

#[derive(Clone)]
pub struct SesMailer {
    /// Built on the first email: most pipeline invocations send none.
    client: Arc<LazyClient<Client>>,
    sender: Arc<Mailbox>,
}

#[derive(Debug, thiserror::Error)]
#[error("SES_SENDER '{0}' is not a valid sender such as 'Meeting Bot <bot@example.com>'")]
pub struct InvalidSender(String);

impl SesMailer {
    pub fn from_config(aws: &aws_types::SdkConfig, sender: &str) -> Result<Self, InvalidSender> {
        let sender = sender
            .parse::<Mailbox>()
            .map_err(|_| InvalidSender(sender.to_owned()))?;
        Ok(Self {
            client: Arc::new(LazyClient::new(aws, Client::new)),
            sender: Arc::new(sender),
        })
    }

    /// The RFC 5322 message as sent. Header values are single-line by construction
    /// ([`app::pipeline::email_body`] strips CR/LF); lettre encodes anything non-ASCII.
    pub fn render(&self, email: &OutgoingEmail) -> Result<Vec<u8>, MailError> {
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|_| MailError::Rejected(format!("invalid recipient '{}'", email.to)))?;
        let message = lettre::Message::builder()
            .from((*self.sender).clone())
            .to(to)
            .subject(email.subject.clone())
            .header(header::MIME_VERSION_1_0)
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| MailError::Rejected(format!("could not build the message: {e}")))?;
        Ok(message.formatted())
    }
}

/// Codes SES answers when a message can never be sent as it is.
const PERMANENT: &[&str] = &[
    "MessageRejected",
    "MailFromDomainNotVerifiedException",
    "MailFromDomainNotVerified",
    "InvalidParameterValue",
    "ConfigurationSetDoesNotExist",
    "ConfigurationSetDoesNotExistException",
    "AccountSendingPausedException",
];

impl Mailer for SesMailer {
    async fn send(&self, email: &OutgoingEmail) -> Result<String, MailError> {
        let raw = self.render(email)?;
        let message = RawMessage::builder()
            .data(Blob::new(raw))
            .build()
            .map_err(|e| MailError::Rejected(e.to_string()))?;
        match self
            .client
            .get()
            .send_raw_email()
            .raw_message(message)
            .send()
            .await
        {
            Ok(out) => Ok(out.message_id),
            Err(e) => {
                let code = e
                    .as_service_error()
                    .and_then(|se| se.code())
                    .unwrap_or_default()
                    .to_owned();
                if PERMANENT.contains(&code.as_str()) {
                    Err(MailError::Rejected(format!("{code}: {}", Chain(&e))))
                } else {
                    Err(MailError::Transient(Arc::new(e)))
                }
            }
        }
    }
}
