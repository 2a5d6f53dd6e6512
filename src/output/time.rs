//! Receive times: the clock is read once per message and broken down by libc in local time
//! (or UTC), so `@` fields use the same time-zone rules and `strftime` conversions as
//! mosquitto_sub. Only this file calls into libc.

use std::ffi::CStr;
use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

/// One instant, with its calendar breakdown.
#[derive(Clone, Copy)]
pub struct Stamp {
    secs: i64,
    nanos: u32,
    tm: libc::tm,
}

impl Stamp {
    /// The current time, broken down in local time (or UTC).
    pub fn now(utc: bool) -> Stamp {
        Stamp::at(SystemTime::now(), utc)
    }

    pub fn at(t: SystemTime, utc: bool) -> Stamp {
        let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
            Err(e) => {
                // Before 1970: keep nanoseconds positive, as clock_gettime does.
                let d = e.duration();
                let (s, n) = (d.as_secs() as i64, d.subsec_nanos());
                if n == 0 {
                    (-s, 0)
                } else {
                    (-s - 1, 1_000_000_000 - n)
                }
            }
        };
        let t: libc::time_t = secs as libc::time_t;
        // SAFETY: an all-zero `tm` is a valid value (integers and a null zone pointer).
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are valid for the call; the _r variants write only into `tm`.
        // On failure (a year out of range) `tm` stays zeroed, which renders as a fixed date.
        unsafe {
            if utc {
                libc::gmtime_r(&t, &mut tm);
            } else {
                libc::localtime_r(&t, &mut tm);
            }
        }
        Stamp { secs, nanos, tm }
    }

    /// A stand-in (the epoch, not broken down) for templates that have no time field.
    pub fn placeholder() -> Stamp {
        Stamp {
            secs: 0,
            nanos: 0,
            // SAFETY: an all-zero `tm` is a valid value (integers and a null zone pointer).
            tm: unsafe { std::mem::zeroed() },
        }
    }

    pub fn secs(&self) -> i64 {
        self.secs
    }

    pub fn nanos(&self) -> u32 {
        self.nanos
    }

    /// Offset from UTC in seconds.
    fn offset(&self) -> i64 {
        // `c_long`: 64 bits here, 32 on 32-bit targets.
        #[allow(clippy::useless_conversion)]
        i64::from(self.tm.tm_gmtoff)
    }

    /// Append `strftime(fmt)`; conversions that produce nothing append nothing.
    pub fn strftime(&self, fmt: &CStr, out: &mut Vec<u8>) {
        let mut buf = [0u8; 256];
        // SAFETY: `buf` is writable for its length, `fmt` is NUL-terminated, `tm` is initialised;
        // strftime writes at most `buf.len()` bytes and returns how many (0 if it did not fit).
        let n = unsafe {
            libc::strftime(
                buf.as_mut_ptr() as *mut libc::c_char,
                buf.len(),
                fmt.as_ptr(),
                &self.tm,
            )
        };
        out.extend_from_slice(&buf[..n.min(buf.len())]);
    }

    fn date_time(&self, out: &mut Vec<u8>) {
        let tm = &self.tm;
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            tm.tm_year as i64 + 1900,
            tm.tm_mon + 1,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec
        );
    }

    fn offset_into(&self, out: &mut Vec<u8>, colon: bool) {
        let off = self.offset();
        let sign = if off < 0 { '-' } else { '+' };
        let (h, m) = (off.abs() / 3600, off.abs() % 3600 / 60);
        let _ = if colon {
            write!(out, "{sign}{h:02}:{m:02}")
        } else {
            write!(out, "{sign}{h:02}{m:02}")
        };
    }

    /// mosquitto's `%I`: `2026-11-24T19:40:39+0000` (strftime `%FT%T%z`).
    pub fn iso8601(&self, out: &mut Vec<u8>) {
        self.date_time(out);
        self.offset_into(out, false);
    }

    /// mosquitto's JSON `tst` (2.0.13 and later): `2026-11-24T19:40:29.872929+0000`.
    pub fn json_tst(&self, out: &mut Vec<u8>) {
        self.date_time(out);
        let _ = write!(out, ".{:06}", self.nanos / 1000);
        self.offset_into(out, false);
    }

    /// RFC 3339 with milliseconds: `2026-11-24T19:40:29.872+01:00`, or `...Z` in UTC.
    pub fn rfc3339_ms(&self, out: &mut Vec<u8>, utc: bool) {
        self.date_time(out);
        let _ = write!(out, ".{:03}", self.nanos / 1_000_000);
        if utc {
            out.push(b'Z');
        } else {
            self.offset_into(out, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn utc_renderings() {
        let t = UNIX_EPOCH + Duration::new(1_795_549_239, 293_019_704);
        let s = Stamp::at(t, true);
        let mut out = Vec::new();
        s.iso8601(&mut out);
        out.push(b' ');
        s.json_tst(&mut out);
        out.push(b' ');
        s.rfc3339_ms(&mut out, true);
        out.push(b' ');
        s.strftime(c"%Y/%j", &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "2026-11-24T19:40:39+0000 2026-11-24T19:40:39.293019+0000 \
             2026-11-24T19:40:39.293Z 2026/328"
        );
        assert_eq!(s.nanos(), 293_019_704);
        assert_eq!(s.secs(), 1_795_549_239);
    }
}
