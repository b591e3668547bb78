//! Which network addresses a webhook may reach. Used at join (literal and resolved hosts)
//! and again at send time on every address the resolver returns, so DNS rebinding and
//! redirects cannot aim a webhook at the inside of our network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What the local-development setting relaxes: loopback (and plain `http`) only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UrlPolicy {
    pub allow_insecure_local: bool,
}

impl UrlPolicy {
    pub const STRICT: UrlPolicy = UrlPolicy {
        allow_insecure_local: false,
    };
    pub const LOCAL_DEVELOPMENT: UrlPolicy = UrlPolicy {
        allow_insecure_local: true,
    };

    /// `Some(reason)` when a webhook must not be sent to `ip`.
    pub fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        let ip = canonical(ip);
        if self.allow_insecure_local && ip.is_loopback() {
            return None;
        }
        classify(ip)
    }
}

/// IPv4 addresses carried inside IPv6 (mapped, compatible, NAT64, 6to4) are judged as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated but still routed by some stacks)
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(tail),
        [0, 0, 0, 0, 0, 0, hi, _] if hi != 0 => Some(tail),
        // 64:ff9b::/96 NAT64
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        // 2002::/16 6to4 carries the IPv4 address in bits 16..48
        [0x2002, a, b, ..] => Some(Ipv4Addr::new(
            (a >> 8) as u8,
            a as u8,
            (b >> 8) as u8,
            b as u8,
        )),
        _ => None,
    }
}

fn classify(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip == Ipv4Addr::new(169, 254, 169, 254) {
        return Some("the cloud metadata service");
    }
    match (a, b, c) {
        (0, _, _) => Some("an unspecified address"),
        (127, _, _) => Some("a loopback address"),
        (10, _, _) => Some("a private address"),
        (172, 16..=31, _) => Some("a private address"),
        (192, 168, _) => Some("a private address"),
        (169, 254, _) => Some("a link-local address"),
        (100, 64..=127, _) => Some("a shared (carrier-grade NAT) address"),
        (192, 0, 0) | (192, 0, 2) | (198, 51, 100) | (203, 0, 113) => Some("a reserved address"),
        (198, 18..=19, _) => Some("a reserved address"),
        // 192.88.99.0/24: the deprecated 6to4 relay anycast range (RFC 7526).
        (192, 88, 99) => Some("a reserved (6to4 relay) address"),
        (224..=239, _, _) => Some("a multicast address"),
        (240..=255, _, _) => Some("a reserved address"),
        _ => None,
    }
}

fn classify_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_unspecified() {
        return Some("an unspecified address");
    }
    if ip.is_loopback() {
        return Some("a loopback address");
    }
    if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
        return Some("the cloud metadata service");
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("a unique local (private) address"),
        x if x & 0xffc0 == 0xfe80 => Some("a link-local address"),
        x if x & 0xffc0 == 0xfec0 => Some("a site-local address"),
        x if x & 0xff00 == 0xff00 => Some("a multicast address"),
        0x2001 if s[1] == 0x0db8 => Some("a documentation address"),
        // 2001:2::/48 benchmarking (RFC 5180).
        0x2001 if s[1] == 0x0002 && s[2] == 0 => Some("a benchmarking address"),
        // 3fff::/20 documentation (RFC 9637).
        0x3fff if s[1] & 0xf000 == 0 => Some("a documentation address"),
        // 64:ff9b:1::/48 local-use NAT64 (RFC 8215): translated inside a network.
        0x0064 if s[1] == 0xff9b && s[2] == 0x0001 => Some("a local-use NAT64 address"),
        0x2001 if s[1] == 0 => Some("a Teredo tunnel address"),
        0x0100 if s[1..4] == [0, 0, 0] => Some("a discard-only address"),
        0 => Some("a reserved address"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(s: &str) -> bool {
        UrlPolicy::STRICT.refuses(s.parse().unwrap()).is_some()
    }

    #[test]
    fn the_less_known_special_ranges_are_refused() {
        for addr in [
            "64:ff9b:1::a00:1",
            "64:ff9b:1:ffff::1",
            "192.88.99.1",
            "2001:2::1",
            "2001:2:0:ffff::1",
            "3fff::1",
            "3fff:fff::1",
        ] {
            assert!(refused(addr), "{addr} should be refused");
        }
        for addr in ["64:ff9b:2::1", "192.88.98.1", "2001:3::1", "3fff:1000::1"] {
            assert!(!refused(addr), "{addr} is an ordinary address");
        }
    }

    #[test]
    fn internal_addresses_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.1.2.3",
            "0.0.0.0",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "169.254.1.1",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fd00:ec2::254",
            "fc00::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(refused(ip), "{ip} should be refused");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "172.32.0.1",
        ] {
            assert!(!refused(ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn local_development_allows_loopback_only() {
        let dev = UrlPolicy::LOCAL_DEVELOPMENT;
        assert!(dev.refuses("127.0.0.1".parse().unwrap()).is_none());
        assert!(dev.refuses("::1".parse().unwrap()).is_none());
        assert!(dev.refuses("10.0.0.1".parse().unwrap()).is_some());
        assert!(dev.refuses("169.254.169.254".parse().unwrap()).is_some());
    }
}
