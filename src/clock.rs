//! The one place karta reads the system clock. Every command takes `--now` (or `KARTA_NOW`);
//! only when neither is given does the current time come from here, so tests, demos and
//! replays are deterministic. Security timers alone read the real time ([`wall`]), and the
//! check of whether a file changed since it was read ([`files`]).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// The instant a command runs at.
pub fn now(injected: Option<DateTime<FixedOffset>>) -> DateTime<FixedOffset> {
    #[allow(clippy::disallowed_methods)]
    injected.unwrap_or_else(|| Utc::now().fixed_offset())
}

/// The system clock's Unix seconds, whatever `--now` says: for security timers only (the limit
/// on failed logins), which must run out in real time even in a service started at a fixed
/// instant.
pub fn wall() -> i64 {
    #[allow(clippy::disallowed_methods)]
    Utc::now().timestamp()
}

/// The system clock, whatever `--now` says: for telling whether a file's metadata vouches for
/// the bytes read (`cache::Stat`), as file times are the system's.
pub fn files() -> std::time::SystemTime {
    #[allow(clippy::disallowed_methods)]
    std::time::SystemTime::now()
}

/// Parses a `--now` value: RFC 3339 (`2023-10-16T09:00:00+10:00`), a local date-time
/// (`2023-10-16T09:00`, read as UTC) or a date (`2023-10-16`, midnight UTC).
pub fn parse_instant(text: &str) -> Result<DateTime<FixedOffset>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t);
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(Utc.from_utc_datetime(&t).fixed_offset());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default()).fixed_offset());
    }
    Err(format!("«{text}»: ожидается дата или момент времени, например 2023-10-16 или 2023-10-16T09:00:00+10:00"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injected_time_wins() {
        let t = parse_instant("2023-10-16T09:00:00+10:00").expect("parses");
        assert_eq!(now(Some(t)), t);
        assert_eq!(parse_instant("2023-10-16").expect("parses").to_rfc3339(), "2023-10-16T00:00:00+00:00");
        assert!(parse_instant("завтра").is_err());
    }
}
