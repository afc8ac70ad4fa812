//! ASN.1 `UTCTime` and `GeneralizedTime` (X.690 §11.7 and §11.8, RFC 5280
//! §4.1.2.5) as seconds since the Unix epoch.

use crate::asn1::{GENERALIZED_TIME, UTC_TIME};
use crate::error::CodecError;
use crate::tlv::{self, Tlv};

const WHAT: &str = "time";

/// Reads a `UTCTime` or `GeneralizedTime` in UTC (`Z`) with whole seconds.
/// A `GeneralizedTime` may carry a fraction of a second, which is dropped.
/// A two-digit `UTCTime` year below 50 is 20YY, as RFC 5280 §4.1.2.5.1 says.
pub fn decode_time(tlv: Tlv<'_>) -> Result<i64, CodecError> {
    let text = std::str::from_utf8(tlv.value).map_err(|_| invalid("not ASCII"))?;
    let (year, rest) = if tlv.tag == UTC_TIME {
        let two = digits(text, 0, 2)?;
        (
            if two < 50 { 2000 + two } else { 1900 + two },
            text.get(2..).unwrap_or(""),
        )
    } else if tlv.tag == GENERALIZED_TIME {
        (digits(text, 0, 4)?, text.get(4..).unwrap_or(""))
    } else {
        return Err(CodecError::UnexpectedTag {
            what: WHAT,
            expected: UTC_TIME.0,
            found: tlv.tag.0,
        });
    };
    let month = digits(rest, 0, 2)?;
    let day = digits(rest, 2, 2)?;
    let hour = digits(rest, 4, 2)?;
    let minute = digits(rest, 6, 2)?;
    let second = digits(rest, 8, 2)?;
    let mut zone = rest.get(10..).ok_or(invalid("too short"))?;
    if tlv.tag == GENERALIZED_TIME {
        if let Some(fraction) = zone.strip_prefix('.') {
            let digit_count = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digit_count == 0 {
                return Err(invalid("empty fraction of a second"));
            }
            zone = fraction.get(digit_count..).unwrap_or("");
        }
    }
    if zone != "Z" {
        return Err(invalid("not in UTC (must end with Z)"));
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return Err(invalid("date or time out of range"));
    }
    Ok(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Encodes a time the way RFC 5280 §4.1.2.5 asks: `UTCTime` for the years
/// 1950 to 2049 and `GeneralizedTime` otherwise.
pub fn encode_time(unix: i64, out: &mut Vec<u8>) {
    let (year, month, day, hour, minute, second) = civil_from_unix(unix);
    if (1950..2050).contains(&year) {
        let text = format!("{:02}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z", year % 100);
        tlv::write_tlv(out, UTC_TIME, text.as_bytes());
    } else {
        let text = format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}Z");
        tlv::write_tlv(out, GENERALIZED_TIME, text.as_bytes());
    }
}

/// Formats a time as ISO 8601 in UTC, such as `2026-01-31T12:00:00Z`.
pub fn format_iso8601(unix: i64) -> String {
    let (year, month, day, hour, minute, second) = civil_from_unix(unix);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z")
}

fn invalid(reason: &'static str) -> CodecError {
    CodecError::InvalidValue { what: WHAT, reason }
}

fn digits(text: &str, start: usize, len: usize) -> Result<i64, CodecError> {
    let part = text.get(start..start + len).ok_or(invalid("too short"))?;
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("expected digits"));
    }
    part.parse().map_err(|_| invalid("expected digits"))
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Counts days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_unix(unix: i64) -> (i64, i64, i64, i64, i64, i64) {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day, seconds / 3600, seconds % 3600 / 60, seconds % 60)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tlv::Tag;

    fn decode(tag: Tag, text: &str) -> Result<i64, CodecError> {
        let bytes = tlv::tlv(tag, text.as_bytes());
        decode_time(Tlv::decode_all(&bytes, "time").unwrap())
    }

    #[test]
    fn decodes_utc_and_generalized_time() {
        assert_eq!(decode(UTC_TIME, "700101000000Z"), Ok(0));
        assert_eq!(decode(UTC_TIME, "491231235959Z"), Ok(2_524_607_999));
        assert_eq!(decode(GENERALIZED_TIME, "20491231235959Z"), Ok(2_524_607_999));
        assert_eq!(decode(GENERALIZED_TIME, "20000229120000.123Z"), Ok(951_825_600));
        assert_eq!(decode(GENERALIZED_TIME, "19000101000000Z"), Ok(-2_208_988_800));
    }

    #[test]
    fn rejects_invalid_times() {
        assert!(decode(UTC_TIME, "700101000000").is_err());
        assert!(decode(UTC_TIME, "700101000000+0800").is_err());
        assert!(decode(UTC_TIME, "701301000000Z").is_err());
        assert!(decode(GENERALIZED_TIME, "20010229000000Z").is_err());
        assert!(decode(GENERALIZED_TIME, "2001022900000Z").is_err());
        assert!(decode(GENERALIZED_TIME, "20000229120000.Z").is_err());
        assert!(decode(UTC_TIME, "7001010000ÿ0Z").is_err());
    }

    #[test]
    fn encoding_round_trips() {
        for unix in [
            0,
            951_825_600,
            2_524_607_999,
            2_524_608_000,
            -631_152_001,
            4_102_444_800,
        ] {
            let mut out = Vec::new();
            encode_time(unix, &mut out);
            assert_eq!(decode_time(Tlv::decode_all(&out, "time").unwrap()), Ok(unix));
        }
        assert_eq!(format_iso8601(951_825_600), "2000-02-29T12:00:00Z");
    }
}
