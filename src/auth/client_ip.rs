//! The client's address: the socket peer, unless that peer is a trusted
//! proxy, in which case `X-Forwarded-For` is walked from the right past trusted hops.

use std::net::IpAddr;

use actix_web::HttpRequest;
use ipnet::IpNet;

/// The client address of a request: its peer, or behind trusted proxies the forwarded one.
pub fn of_request(req: &HttpRequest, trusted_proxies: &[IpNet]) -> Option<IpAddr> {
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    client_ip(
        req.peer_addr().map(|addr| addr.ip()),
        forwarded,
        trusted_proxies,
    )
}

/// The address to record for a request. `forwarded_for` is every `X-Forwarded-For` value in
/// order; it is believed only as far as the chain of trusted proxies reaches.
pub fn client_ip<'a>(
    peer: Option<IpAddr>,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted_proxies: &[IpNet],
) -> Option<IpAddr> {
    let peer = peer.map(canonical)?;
    let is_trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut last_trusted = peer;
    for hop in hops.iter().rev() {
        match hop.parse::<IpAddr>().map(canonical) {
            Ok(ip) if is_trusted(&ip) => last_trusted = ip,
            Ok(ip) => return Some(ip),
            // A malformed entry stops the walk: nothing left of it can be believed.
            Err(_) => break,
        }
    }
    Some(last_trusted)
}

/// IPv4-mapped IPv6 addresses compare as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let found = client_ip(Some(ip("203.0.113.7")), ["1.2.3.4"], &nets(&["10.0.0.0/8"]));

        assert_eq!(found, Some(ip("203.0.113.7")));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let found = client_ip(
            Some(ip("10.0.0.2")),
            ["6.6.6.6, 198.51.100.9", "10.0.0.1"],
            &nets(&["10.0.0.0/8"]),
        );

        assert_eq!(found, Some(ip("198.51.100.9")));
    }

    #[test]
    fn a_malformed_hop_stops_the_walk_at_the_last_trusted_proxy() {
        let found = client_ip(
            Some(ip("10.0.0.2")),
            ["198.51.100.9, garbage, 10.0.0.5"],
            &nets(&["10.0.0.0/8"]),
        );

        assert_eq!(found, Some(ip("10.0.0.5")));
    }

    #[test]
    fn ipv4_mapped_peers_are_compared_as_ipv4() {
        let found = client_ip(
            Some(ip("::ffff:10.0.0.2")),
            ["198.51.100.9"],
            &nets(&["10.0.0.0/8"]),
        );

        assert_eq!(found, Some(ip("198.51.100.9")));
    }
}
