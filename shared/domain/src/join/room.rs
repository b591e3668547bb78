//! Meeting room URLs. The URL is shown in emails and webhooks as the customer gave it, as a
//! link: it must not carry credentials (`https://login.bank.example@evil.example/` shows a
//! bank's name and opens another host), spaces or control characters, and by default it
//! must point at a configured meeting provider.

use url::{Host, Url};

/// Hosts a room URL may be on: a host matches an entry it equals or is a subdomain of
/// (`daily.co` allows `acme.daily.co`). `*` allows any host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomHosts(Option<Vec<String>>);

impl Default for RoomHosts {
    /// Daily's rooms (`*.daily.co`), the default provider.
    fn default() -> Self {
        Self(Some(vec!["daily.co".to_owned()]))
    }
}

impl RoomHosts {
    /// A comma-separated list of domains, or `*` for any host.
    pub fn parse(list: &str) -> Result<Self, String> {
        if list.trim() == "*" {
            return Ok(Self(None));
        }
        let hosts: Vec<String> = list
            .split(',')
            .map(|h| {
                h.trim()
                    .trim_start_matches("*.")
                    .trim_matches('.')
                    .to_ascii_lowercase()
            })
            .filter(|h| !h.is_empty())
            .collect();
        if hosts.is_empty() {
            return Err("names no host; give domains such as daily.co, or * for any".into());
        }
        if let Some(bad) = hosts.iter().find(|h| {
            !h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        }) {
            return Err(format!("'{bad}' is not a domain name"));
        }
        Ok(Self(Some(hosts)))
    }

    pub fn allows(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        match &self.0 {
            None => true,
            Some(hosts) => hosts.iter().any(|h| {
                host == *h
                    || host
                        .strip_suffix(h.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }),
        }
    }

    fn describe(&self) -> String {
        match &self.0 {
            None => "any host".into(),
            Some(hosts) => hosts.join(", "),
        }
    }
}

/// The room's name as PailFlow reports it (`room_name`): the last segment of the URL's path
/// (`https://acme.daily.co/standup` → `standup`), or its host when the path has none.
pub fn room_name(room_url: &str) -> String {
    let Ok(url) = Url::parse(room_url) else {
        return String::new();
    };
    url.path_segments()
        .and_then(|mut segments| segments.rfind(|s| !s.is_empty()))
        .map(str::to_owned)
        .or_else(|| url.host_str().map(str::to_owned))
        .unwrap_or_default()
}

/// `Err(problem)` when `room_url` may not be used, the problem phrased to follow
/// "Field 'room_url' ".
pub(super) fn check(room_url: &str, hosts: &RoomHosts) -> Result<(), String> {
    // The URL parser would silently drop tabs and line breaks.
    if room_url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace())
    {
        return Err("must not contain spaces or control characters".into());
    }
    let url = Url::parse(room_url).map_err(|e| format!("is not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err("must be an http(s) meeting URL".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    let host = match url.host() {
        Some(Host::Domain(name)) => name.to_owned(),
        Some(_) if hosts.0.is_none() => return Ok(()),
        Some(_) => return Err("must name its meeting provider's host, not an IP address".into()),
        None => return Err("must be an http(s) meeting URL".into()),
    };
    if !hosts.allows(&host) {
        return Err(format!(
            "must be a meeting on {} (this service's meeting providers)",
            hosts.describe()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daily_rooms_are_allowed_by_default() {
        let daily = RoomHosts::default();
        assert_eq!(check("https://acme.daily.co/standup", &daily), Ok(()));
        assert_eq!(check("https://daily.co/x", &daily), Ok(()));
        assert_eq!(check("https://ACME.Daily.co./x", &daily), Ok(()));
    }

    #[test]
    fn other_hosts_lookalikes_ips_and_credentials_are_refused() {
        let daily = RoomHosts::default();
        for bad in [
            "https://evil.example/daily.co",
            "https://notdaily.co/room",
            "https://daily.co.evil.example/room",
            "https://93.184.215.14/room",
            "https://login.bank.example@evil.example/",
            "https://acme.daily.co@evil.example/",
            "https://user:pw@acme.daily.co/room",
            "javascript:alert(1)",
            "https://acme.daily.co/a b",
        ] {
            assert!(check(bad, &daily).is_err(), "{bad} should be refused");
        }
        assert_eq!(
            check("https://user@acme.daily.co/r", &daily).unwrap_err(),
            "must not contain a user name or password"
        );
    }

    #[test]
    fn the_room_name_is_the_last_path_segment_or_the_host() {
        assert_eq!(room_name("https://acme.daily.co/standup"), "standup");
        assert_eq!(
            room_name("https://acme.daily.co/team/standup/?t=1"),
            "standup"
        );
        assert_eq!(room_name("https://acme.daily.co/"), "acme.daily.co");
        assert_eq!(room_name("not a url"), "");
    }

    #[test]
    fn the_list_is_configurable() {
        let hosts = RoomHosts::parse("daily.co, *.zoom.us").unwrap();
        assert!(hosts.allows("us02web.zoom.us") && hosts.allows("a.daily.co"));
        assert!(!hosts.allows("teams.microsoft.com"));
        let any = RoomHosts::parse("*").unwrap();
        assert_eq!(check("https://meet.example.org/x", &any), Ok(()));
        assert_eq!(
            check("https://u@meet.example.org/x", &any).unwrap_err(),
            "must not contain a user name or password",
            "credentials are refused whatever the hosts"
        );
        assert!(RoomHosts::parse(" , ").is_err());
        assert!(RoomHosts::parse("daily.co/x").is_err());
    }
}
