//! Wall-clock time in the form the store records it.

/// Milliseconds since the Unix epoch, now.
pub(crate) fn now_millis() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Milliseconds in a duration, saturating.
pub(crate) fn duration_millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
