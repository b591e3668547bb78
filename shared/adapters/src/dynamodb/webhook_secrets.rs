//! Where an account's webhook signing secrets are stored: on its `ACCOUNT` item, as KMS
//! ciphertext under the webhook secret key ([`crate::kms`], the account as encryption
//! context), so reading the table is not reading a secret: only a holder of the key's
//! Decrypt (the functions that sign) opens one. Creating an account or rotating its secret
//! needs only Encrypt. Secrets an earlier version stored in plain text are still read, and
//! encrypted in place by [`DynamoStore::ensure_account`] (`make webhook-secret`).

use super::codec::{blob, rfc3339, s, string};
use super::keys::{account_pk, Item, ACCOUNT_SK};
use super::{condition_failed, DynamoStore};
use crate::kms::WebhookSecretKey;
use app::ports::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use domain::signing::{PreviousSecret, SigningSecrets};
use domain::{now, AccountId, WebhookSecret};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The account's signing secret, encrypted.
pub(super) const CURRENT: &str = "webhook_secret_sealed";
/// The secret the last rotation replaced, encrypted, and when it stops signing.
pub(super) const PREVIOUS: &str = "previous_webhook_secret_sealed";
pub(super) const PREVIOUS_VALID_UNTIL: &str = "previous_secret_valid_until";
/// The same secrets as earlier versions stored them, in plain text.
pub(super) const PLAIN_CURRENT: &str = "webhook_secret";
pub(super) const PLAIN_PREVIOUS: &str = "previous_webhook_secret";

impl DynamoStore {
    /// Creates the account, with a new webhook signing secret, if it does not exist; an
    /// account whose secrets are still in plain text gets them encrypted. Needs the webhook
    /// secret key's Encrypt, not its Decrypt.
    pub async fn ensure_account(&self, account: &AccountId) -> Result<(), StoreError> {
        match self.get(account_pk(account), ACCOUNT_SK).await? {
            Some(item) if item.contains_key(PLAIN_CURRENT) || item.contains_key(PLAIN_PREVIOUS) => {
                self.seal_in_place(account, &item).await
            }
            Some(item) if item.contains_key(CURRENT) => Ok(()),
            Some(_) => Err(StoreError::corrupt("account", "no webhook secret")),
            None => self.create_account(account).await,
        }
    }

    async fn create_account(&self, account: &AccountId) -> Result<(), StoreError> {
        let sealed = self.seal(account, &WebhookSecret::generate()).await?;
        let put = self
            .client
            .put_item()
            .table_name(&*self.table)
            .item("pk", s(account_pk(account)))
            .item("sk", s(ACCOUNT_SK))
            .item("account_id", s(account.as_str()))
            .item(CURRENT, sealed)
            .item("created_at", rfc3339(now()))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            // Created concurrently: the first writer's secret stands.
            Ok(_) => Ok(()),
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("put account", e)),
        }
    }

    /// Replaces plain-text secrets with their ciphertext, if they are still the same.
    async fn seal_in_place(&self, account: &AccountId, item: &Item) -> Result<(), StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK));
        let (mut set, mut remove, mut conditions) = (vec![], vec![], vec![]);
        for (plain, sealed, tag) in [
            (PLAIN_CURRENT, CURRENT, "c"),
            (PLAIN_PREVIOUS, PREVIOUS, "p"),
        ] {
            let Some(value) = string(item, plain) else {
                continue;
            };
            let secret = WebhookSecret::from_stored(value.to_owned());
            set.push(format!("#{tag}s = :{tag}s"));
            remove.push(format!("#{tag}p"));
            conditions.push(format!("#{tag}p = :{tag}p"));
            update = update
                .expression_attribute_names(format!("#{tag}s"), sealed)
                .expression_attribute_names(format!("#{tag}p"), plain)
                .expression_attribute_values(format!(":{tag}s"), self.seal(account, &secret).await?)
                .expression_attribute_values(format!(":{tag}p"), s(secret.expose()));
        }
        let result = update
            .update_expression(format!(
                "SET {} REMOVE {}",
                set.join(", "),
                remove.join(", ")
            ))
            .condition_expression(conditions.join(" AND "))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Encrypted or rotated concurrently.
            Err(e) if condition_failed(&e) => Ok(()),
            Err(e) => Err(StoreError::unavailable("encrypt account secret", e)),
        }
    }

    /// Makes `new` the account's secret and the current one, as stored, the previous one
    /// until `previous_valid_until`, if the current one is still current (a concurrent
    /// rotation makes the caller read again). Never opens a secret: a plain-text current
    /// secret of an earlier version is encrypted on the way. `Ok(false)`: no account.
    pub(super) async fn replace_secret(
        &self,
        account: &AccountId,
        new: &WebhookSecret,
        previous_valid_until: OffsetDateTime,
    ) -> Result<Option<bool>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .consistent_read(true)
            .projection_expression("#current, #plain")
            .expression_attribute_names("#current", CURRENT)
            .expression_attribute_names("#plain", PLAIN_CURRENT)
            .send()
            .await
            .map_err(|e| StoreError::unavailable("get account secret", e))?;
        let Some(item) = out.item else {
            return Ok(Some(false));
        };
        let (old_name, old, previous) = match (item.get(CURRENT), string(&item, PLAIN_CURRENT)) {
            (Some(sealed), _) => (CURRENT, sealed.clone(), sealed.clone()),
            (None, Some(plain)) => {
                let secret = WebhookSecret::from_stored(plain.to_owned());
                (PLAIN_CURRENT, s(plain), self.seal(account, &secret).await?)
            }
            (None, None) => return Err(StoreError::corrupt("account", "no webhook secret")),
        };
        let result = self
            .client
            .update_item()
            .table_name(&*self.table)
            .key("pk", s(account_pk(account)))
            .key("sk", s(ACCOUNT_SK))
            .update_expression(
                "SET #current = :new, #previous = :previous, #until = :until \
                 REMOVE #plain, #plain_previous",
            )
            .condition_expression("#old = :old")
            .expression_attribute_names("#current", CURRENT)
            .expression_attribute_names("#previous", PREVIOUS)
            .expression_attribute_names("#until", PREVIOUS_VALID_UNTIL)
            .expression_attribute_names("#plain", PLAIN_CURRENT)
            .expression_attribute_names("#plain_previous", PLAIN_PREVIOUS)
            .expression_attribute_names("#old", old_name)
            .expression_attribute_values(":new", self.seal(account, new).await?)
            .expression_attribute_values(":previous", previous)
            .expression_attribute_values(":old", old)
            .expression_attribute_values(":until", rfc3339(previous_valid_until))
            .send()
            .await;
        match result {
            Ok(_) => Ok(Some(true)),
            Err(e) if condition_failed(&e) => Ok(None),
            Err(e) => Err(StoreError::unavailable("rotate webhook secret", e)),
        }
    }

    /// The account's current secret and, during a rotation's overlap, the previous one.
    pub(super) async fn open_secrets(
        &self,
        account: &AccountId,
        item: &Item,
    ) -> Result<SigningSecrets, StoreError> {
        let current = self
            .open(account, item, CURRENT, PLAIN_CURRENT)
            .await?
            .ok_or_else(|| StoreError::corrupt("account", "no webhook secret"))?;
        let previous = match string(item, PREVIOUS_VALID_UNTIL) {
            Some(until) => match self.open(account, item, PREVIOUS, PLAIN_PREVIOUS).await? {
                Some(secret) => Some(PreviousSecret {
                    secret,
                    valid_until: OffsetDateTime::parse(until, &Rfc3339)
                        .map_err(|e| StoreError::corrupt("previous secret's end", e))?,
                }),
                None => None,
            },
            None => None,
        };
        Ok(SigningSecrets { current, previous })
    }

    async fn open(
        &self,
        account: &AccountId,
        item: &Item,
        sealed: &str,
        plain: &str,
    ) -> Result<Option<WebhookSecret>, StoreError> {
        if item.contains_key(sealed) {
            let ciphertext = blob(item, sealed)?;
            return self
                .webhook_key()?
                .open(account, &ciphertext)
                .await
                .map(Some);
        }
        Ok(string(item, plain).map(|value| {
            tracing::warn!("webhook secret stored in plain text; `make webhook-secret` for the account encrypts it");
            WebhookSecret::from_stored(value.to_owned())
        }))
    }

    async fn seal(
        &self,
        account: &AccountId,
        secret: &WebhookSecret,
    ) -> Result<AttributeValue, StoreError> {
        let sealed = self.webhook_key()?.seal(account, secret).await?;
        Ok(AttributeValue::B(sealed.into()))
    }

    fn webhook_key(&self) -> Result<&WebhookSecretKey, StoreError> {
        self.webhook_key.as_ref().ok_or_else(|| {
            StoreError::unavailable(
                "use webhook secrets",
                "this process holds no webhook secret key (WEBHOOK_SECRET_KEY_ID)",
            )
        })
    }
}
