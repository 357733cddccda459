//! Target `no_proxy`: `NO_PROXY` lists matched against broker hosts, through
//! [`ProxyConfig::from_env_with`] with `ALL_PROXY` set, so that a match
//! means no proxy.
//!
//! Properties (the rules documented on [`ProxyConfig::from_env`]):
//!
//! * `*` in the list exempts every host;
//! * the answer does not depend on ASCII case, nor on the order of the
//!   entries;
//! * adding entries never takes an exemption away;
//! * the host itself as an entry (IPv6 in brackets) exempts it, on any port;
//!   with the broker's port too; with another port, it does not; a name
//!   also exempts its subdomains, and an address its `/32` or `/128` block
//!   and the whole address space (`/0`).
//!
//! Input layout: the broker's host, a line break, the list. Hosts that no
//! `ws://` URL can carry are skipped (`ws_url` fuzzes those).

use std::net::IpAddr;

use mqttws::ProxyConfig;

/// Runs one input. Panics only if a property breaks (or the code panics).
pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (host, list) = text.split_once('\n').unwrap_or((&text, ""));
    let url = |host: &str| {
        if host.contains(':') {
            format!("ws://[{host}]:9001/mqtt")
        } else {
            format!("ws://{host}:9001/mqtt")
        }
    };
    let Ok(parsed) = mqttws::WsUrl::parse(&url(host)) else {
        return;
    };
    // The host as the URL parser gave it: brackets gone.
    let host = parsed.host.as_str();
    let exempt = |host: &str, list: &str| {
        ProxyConfig::from_env_with(&url(host), |name| match name {
            "ALL_PROXY" => Some("http://proxy.example:3128".to_owned()),
            "NO_PROXY" => Some(list.to_owned()),
            _ => None,
        })
        .unwrap_or_else(|e| panic!("{host:?}: {e}"))
        .is_none()
    };
    let answer = exempt(host, list);

    assert!(
        exempt(host, &format!("{list},*")),
        "'*' does not exempt {host:?}"
    );
    assert_eq!(
        exempt(&host.to_ascii_uppercase(), &list.to_ascii_lowercase()),
        answer,
        "case matters for {host:?} and {list:?}"
    );
    let reversed: Vec<&str> = list.rsplit([',', ' ', '\t']).collect();
    assert_eq!(
        exempt(host, &reversed.join(",")),
        answer,
        "order matters for {host:?} and {list:?}"
    );
    if answer {
        assert!(
            exempt(host, &format!("{list},other.example")),
            "an entry took an exemption away"
        );
    }

    // The rest holds for host names and addresses; the list syntax cannot
    // name every string a URL accepts as a host ("a,b", "*.", "..").
    let name_char = |c: char| c.is_ascii_alphanumeric() || "-._:%".contains(c);
    if !host.chars().all(name_char) || !host.chars().any(|c| c.is_ascii_alphanumeric()) {
        return;
    }
    let entry = if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    };
    for with in [
        entry.clone(),
        format!("{entry}:9001"),
        format!("{list},{entry}"),
    ] {
        assert!(exempt(host, &with), "{with:?} does not exempt {host:?}");
    }
    assert!(
        !exempt(host, &format!("{entry}:9002")),
        "{entry}:9002 exempts port 9001"
    );
    match host.parse::<IpAddr>() {
        Ok(ip) => {
            let all = if ip.is_ipv4() { "/32" } else { "/128" };
            for block in [format!("{ip}{all}"), format!("{ip}/0")] {
                assert!(exempt(host, &block), "{block:?} does not exempt {host:?}");
            }
        }
        Err(_) => {
            let sub = format!("iot.{host}");
            if mqttws::WsUrl::parse(&url(&sub)).is_ok() {
                assert!(exempt(&sub, &entry), "{entry:?} does not exempt {sub:?}");
            }
        }
    }
}
