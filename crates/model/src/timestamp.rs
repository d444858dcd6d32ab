//! The timestamp type of the generated shapes.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, written on the JSON protocols as epoch seconds with a fraction, the
/// default timestamp format of awsJson and rest-json bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub jiff::Timestamp);

impl Timestamp {
    /// The current time.
    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now())
    }

    /// Seconds since the Unix epoch, with millisecond precision.
    pub fn epoch_seconds(self) -> f64 {
        self.0.as_millisecond() as f64 / 1000.0
    }

    /// Builds a timestamp from milliseconds since the Unix epoch, clamped to jiff's range.
    pub fn from_epoch_millis(millis: i64) -> Timestamp {
        let clamped = millis.clamp(
            jiff::Timestamp::MIN.as_millisecond(),
            jiff::Timestamp::MAX.as_millisecond(),
        );
        Timestamp(jiff::Timestamp::from_millisecond(clamped).unwrap_or(jiff::Timestamp::UNIX_EPOCH))
    }

    /// Milliseconds since the Unix epoch.
    pub fn epoch_millis(self) -> i64 {
        self.0.as_millisecond()
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.epoch_seconds())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let seconds = f64::deserialize(deserializer)?;
        if !seconds.is_finite() {
            return Err(serde::de::Error::custom(
                "timestamp must be a finite number of seconds",
            ));
        }
        Ok(Timestamp::from_epoch_millis(
            (seconds * 1000.0).round() as i64
        ))
    }
}
