use jiff::Timestamp;

use crate::StoreError;

/// Timestamps are stored as BIGINT Unix microseconds on both backends.
pub fn to_micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub fn from_micros(column: &'static str, micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros).map_err(|_| StoreError::Corrupt {
        column,
        value: micros.to_string(),
    })
}
