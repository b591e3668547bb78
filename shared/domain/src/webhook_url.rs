//! Webhook endpoints given at join. A `WebhookUrl` has passed the literal checks (scheme,
//! host form, internal addresses in any IP spelling); resolved addresses are checked again
//! when the webhook is sent.

use super::net::UrlPolicy;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use url::{Host, Url};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookUrl(Url);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("webhook_callback_url {0}")]
pub struct InvalidWebhookUrl(pub String);

const MAX_URL_LEN: usize = 2048;

impl WebhookUrl {
    pub fn parse(s: &str, policy: UrlPolicy) -> Result<Self, InvalidWebhookUrl> {
        let refuse = |why: &str| InvalidWebhookUrl(why.to_owned());
        if s.len() > MAX_URL_LEN {
            return Err(refuse("is longer than 2048 characters"));
        }
        // The WHATWG parser normalises decimal, octal and hex IPv4 spellings to dotted form,
        // so every spelling of an address reaches the same check below.
        let url =
            Url::parse(s).map_err(|e| InvalidWebhookUrl(format!("is not a valid URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if policy.allow_insecure_local => {}
            "http" => return Err(refuse("must use https")),
            _ => return Err(refuse("must be an https URL")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse("must not contain credentials"));
        }
        match url.host() {
            None => return Err(refuse("has no host")),
            Some(Host::Ipv4(ip)) => check_ip(IpAddr::V4(ip), policy)?,
            Some(Host::Ipv6(ip)) => check_ip(IpAddr::V6(ip), policy)?,
            Some(Host::Domain(name)) => check_name(name, policy)?,
        }
        Ok(Self(url))
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for WebhookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

fn check_ip(ip: IpAddr, policy: UrlPolicy) -> Result<(), InvalidWebhookUrl> {
    match policy.refuses(ip) {
        Some(why) => Err(InvalidWebhookUrl(format!(
            "points to {why}, which is not allowed"
        ))),
        None => Ok(()),
    }
}

/// Names that always mean "this machine" or "the cloud's internal network".
fn check_name(name: &str, policy: UrlPolicy) -> Result<(), InvalidWebhookUrl> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let local =
        name == "localhost" || name.ends_with(".localhost") || name == "localhost.localdomain";
    if local && policy.allow_insecure_local {
        return Ok(());
    }
    if local {
        return Err(InvalidWebhookUrl(
            "points to a loopback address, which is not allowed".into(),
        ));
    }
    if name.ends_with(".internal") || name == "metadata" || name.ends_with(".local") {
        return Err(InvalidWebhookUrl(
            "points to an internal host name, which is not allowed".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(s: &str) -> Result<WebhookUrl, InvalidWebhookUrl> {
        WebhookUrl::parse(s, UrlPolicy::STRICT)
    }

    #[test]
    fn public_https_urls_are_accepted() {
        assert!(strict("https://hooks.example.com/meetings?x=1").is_ok());
        assert!(strict("https://93.184.215.14:8443/hook").is_ok());
    }

    #[test]
    fn every_spelling_of_an_internal_address_is_refused() {
        for bad in [
            "https://127.0.0.1/",
            "https://2130706433/",
            "https://0x7f000001/",
            "https://0177.0.0.1/",
            "https://0x7f.0.0.1/",
            "https://127.1/",
            "https://0/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[::]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:7f00:1]/",
            "https://[fd00:ec2::254]/latest/meta-data",
            "https://169.254.169.254/latest/meta-data",
            "https://[fe80::1]/",
            "https://10.1.2.3/",
            "https://192.168.0.10/",
            "https://localhost/",
            "https://LOCALHOST./",
            "https://api.localhost/",
            "https://metadata.google.internal/",
        ] {
            assert!(strict(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn plain_http_needs_the_local_development_setting() {
        assert_eq!(
            strict("http://hooks.example.com/").unwrap_err().0,
            "must use https"
        );
        assert!(
            WebhookUrl::parse("http://127.0.0.1:9200/hook", UrlPolicy::LOCAL_DEVELOPMENT).is_ok()
        );
        assert!(WebhookUrl::parse("http://10.0.0.1/", UrlPolicy::LOCAL_DEVELOPMENT).is_err());
    }

    #[test]
    fn other_schemes_credentials_and_garbage_are_refused() {
        for bad in [
            "ftp://example.com/",
            "file:///etc/passwd",
            "https://user:pw@example.com/",
            "not a url",
            "",
        ] {
            assert!(strict(bad).is_err(), "{bad} should be refused");
        }
    }
}
