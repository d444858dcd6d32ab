//! Typed condition values: numbers, dates, booleans, IP networks and base64 binary.
//!
//! Policy values are parsed once when the policy compiles. Request values are parsed when
//! a condition reads them, and a request value that does not parse matches nothing.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Parses a number for the `Numeric*` operators: an integer or a decimal, optionally signed.
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let trimmed = text.trim();
    let valid = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|ch| ch.is_ascii_digit() || matches!(ch, '.' | '-' | '+' | 'e' | 'E'));
    if !valid {
        return None;
    }
    trimmed
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

/// Parses a boolean for the `Bool` operator: `true` or `false` in any letter case.
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// Decodes base64 for `BinaryEquals`.
pub(crate) fn parse_binary(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

/// An IPv4 or IPv6 network for `IpAddress` and `NotIpAddress`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IpNetwork {
    address: IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// Parses `203.0.113.0/24`, `2001:db8::/32` or a bare address, which stands for a single
    /// host (`/32` or `/128`). Host bits below the prefix are ignored.
    pub(crate) fn parse(text: &str) -> Option<IpNetwork> {
        let text = text.trim();
        let (address_text, prefix_text) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address_text.parse().ok()?;
        let max_prefix = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_text {
            Some(prefix)
                if !prefix.is_empty() && prefix.bytes().all(|byte| byte.is_ascii_digit()) =>
            {
                prefix.parse::<u8>().ok()?
            }
            Some(_) => return None,
            None => max_prefix,
        };
        if prefix > max_prefix {
            return None;
        }
        Some(IpNetwork { address, prefix })
    }

    /// Returns true when `address` lies inside the network. An IPv4-mapped IPv6 address
    /// (`::ffff:192.0.2.1`) is compared as the IPv4 address it carries.
    pub(crate) fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            IpAddr::V4(_) => address,
        };
        match (self.address, address) {
            (IpAddr::V4(network), IpAddr::V4(candidate)) => same_prefix(
                u128::from(network.to_bits()),
                u128::from(candidate.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(network), IpAddr::V6(candidate)) => {
                same_prefix(network.to_bits(), candidate.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(network: u128, candidate: u128, width: u32, prefix: u8) -> bool {
    let host_bits = width - u32::from(prefix);
    if host_bits >= width {
        return true;
    }
    (network >> host_bits) == (candidate >> host_bits)
}

/// Parses a request IP address. A value with a `/prefix` is read as its address part.
pub(crate) fn parse_request_ip(text: &str) -> Option<IpAddr> {
    let address = text.trim().split('/').next().unwrap_or_default();
    address.parse().ok()
}

/// Parses a date for the `Date*` operators into milliseconds since the Unix epoch.
///
/// Accepts epoch seconds (`1563278400`, optionally with a fraction) and the W3C profile of
/// ISO 8601: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, and `YYYY-MM-DDThh:mm[:ss[.fraction]]`
/// followed by `Z` or an offset `+hh:mm` / `-hh:mm`. A time without a zone is read as UTC.
pub(crate) fn parse_date(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty()
        && text
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'.')
        && text.len() != 4
    {
        let seconds: f64 = text.parse().ok()?;
        return to_millis(seconds);
    }
    parse_iso8601(text)
}

fn to_millis(seconds: f64) -> Option<i64> {
    let millis = (seconds * 1000.0).round();
    // Dates beyond the year 275,000 are not meaningful in a policy.
    (millis.is_finite() && millis.abs() < 8.64e18).then_some(millis as i64)
}

fn parse_iso8601(text: &str) -> Option<i64> {
    let (date_part, time_part) = match text.find(['T', 't']) {
        Some(index) => (text.get(..index)?, Some(text.get(index + 1..)?)),
        None => (text, None),
    };

    let mut fields = date_part.split('-');
    let year = fixed_digits(fields.next()?, 4)?;
    let month = fields
        .next()
        .map_or(Some(1), |field| fixed_digits(field, 2))?;
    let day = fields
        .next()
        .map_or(Some(1), |field| fixed_digits(field, 2))?;
    if fields.next().is_some()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
    {
        return None;
    }
    let days = days_from_civil(year, month, day);

    let time_millis = match time_part {
        Some(time) => parse_time_of_day(time)?,
        None => 0,
    };
    Some(days * 86_400_000 + time_millis)
}

/// Parses `hh:mm[:ss[.fraction]]` with an optional zone, returning milliseconds from
/// midnight UTC (which may be negative or exceed a day once the offset is applied).
fn parse_time_of_day(text: &str) -> Option<i64> {
    let (clock, offset_millis) = split_zone(text)?;

    let mut fields = clock.split(':');
    let hour = fixed_digits(fields.next()?, 2)?;
    let minute = fixed_digits(fields.next()?, 2)?;
    let (second, millis) = match fields.next() {
        Some(seconds) => parse_seconds(seconds)?,
        None => (0, 0),
    };
    if fields.next().is_some() || hour > 24 || minute > 59 || second > 60 {
        return None;
    }
    let local = ((hour * 60 + minute) * 60 + second) * 1000 + millis;
    Some(local - offset_millis)
}

/// Splits a time into the clock part and the zone offset in milliseconds east of UTC.
fn split_zone(text: &str) -> Option<(&str, i64)> {
    if let Some(clock) = text.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_index) = text.rfind(['+', '-']) else {
        return Some((text, 0));
    };
    let clock = text.get(..sign_index)?;
    let zone = text.get(sign_index + 1..)?;
    let sign = if text.get(sign_index..sign_index + 1)? == "-" {
        -1
    } else {
        1
    };
    let (hours, minutes) = match zone.split_once(':') {
        Some((hours, minutes)) => (fixed_digits(hours, 2)?, fixed_digits(minutes, 2)?),
        None if zone.len() == 4 => (
            fixed_digits(zone.get(..2)?, 2)?,
            fixed_digits(zone.get(2..)?, 2)?,
        ),
        None => (fixed_digits(zone, 2)?, 0),
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 60 + minutes) * 60_000))
}

fn parse_seconds(text: &str) -> Option<(i64, i64)> {
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (text, None),
    };
    let seconds = fixed_digits(whole, 2)?;
    let millis = match fraction {
        Some(digits) if !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) => {
            let padded: String = digits.chars().chain("000".chars()).take(3).collect();
            padded.parse().ok()?
        }
        Some(_) => return None,
        None => 0,
    };
    Some((seconds, millis))
}

fn fixed_digits(text: &str, width: usize) -> Option<i64> {
    if text.len() != width || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_table() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1970-01-01", Some(0)),
            ("1970-01-02T00:00:00Z", Some(86_400_000)),
            ("2019-07-16T12:00:00Z", Some(1_563_278_400_000)),
            ("2019-07-16T12:00:00", Some(1_563_278_400_000)),
            ("2019-07-16T14:00:00+02:00", Some(1_563_278_400_000)),
            ("2019-07-16T07:00:00-0500", Some(1_563_278_400_000)),
            ("2019-07-16T12:00Z", Some(1_563_278_400_000)),
            ("2019-07-16T12:00:00.250Z", Some(1_563_278_400_250)),
            ("1563278400", Some(1_563_278_400_000)),
            ("1563278400.5", Some(1_563_278_400_500)),
            ("2000-02-29", Some(951_782_400_000)),
            ("2020", Some(1_577_836_800_000)),
            ("2020-03", Some(1_583_020_800_000)),
            ("1969-12-31T23:59:59Z", Some(-1000)),
            ("2001-02-29", None),
            ("2019-13-01", None),
            ("2019-07-16T25:00:00Z", None),
            ("2019-07-16T12:00:00+25:00", None),
            ("yesterday", None),
            ("", None),
            ("2019-7-16", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date(text), *expected, "date {text:?}");
        }
    }

    #[test]
    fn network_table() {
        let cases: &[(&str, &str, bool)] = &[
            ("203.0.113.0/24", "203.0.113.7", true),
            ("203.0.113.0/24", "203.0.114.7", false),
            ("203.0.113.9", "203.0.113.9", true),
            ("203.0.113.9", "203.0.113.8", false),
            ("203.0.113.77/24", "203.0.113.1", true),
            ("0.0.0.0/0", "198.51.100.1", true),
            ("2001:db8::/32", "2001:db8:1234::1", true),
            ("2001:DB8::/32", "2001:db9::1", false),
            ("::/0", "2001:db8::1", true),
            ("2001:db8::1", "2001:db8::1", true),
            ("203.0.113.0/24", "::ffff:203.0.113.5", true),
            ("203.0.113.0/24", "2001:db8::1", false),
            ("2001:db8::/32", "203.0.113.5", false),
        ];
        for (network, address, expected) in cases {
            let network_value = IpNetwork::parse(network).unwrap();
            let address_value = parse_request_ip(address).unwrap();
            assert_eq!(
                network_value.contains(address_value),
                *expected,
                "{address} in {network}"
            );
        }
    }

    #[test]
    fn rejects_invalid_networks() {
        for text in [
            "203.0.113.0/33",
            "2001:db8::/129",
            "203.0.113",
            "203.0.113.0/",
            "203.0.113.0/x",
            "host",
        ] {
            assert_eq!(IpNetwork::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn scalar_parsers() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-2.5"), Some(-2.5));
        assert_eq!(parse_number("1e3"), Some(1000.0));
        assert_eq!(parse_number("ten"), None);
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("false"), Some(false));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_binary("QmluYXJ5"), Some(b"Binary".to_vec()));
        assert_eq!(parse_binary("not base64!"), None);
    }
}
