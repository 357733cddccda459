//! The data representations of MQTT (3.1.1 section 1.5, 5.0 section 1.5):
//! integers, variable byte integers, UTF-8 strings and binary data, read
//! from a bounded slice (every read checks what is left: no panics on any
//! input) and written into a buffer.

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::{Error, Result};

/// Largest value a variable byte integer can hold (four bytes).
pub(crate) const MAX_VARINT: usize = 268_435_455;

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::protocol(format!("malformed MQTT packet: {what}"))
}

/// Reads the data of one packet, front to back.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    /// The packet's bytes, so that binary fields can be sliced out of it
    /// without a copy.
    whole: &'a Bytes,
    /// Offset of `data` in `whole`.
    at: usize,
}

impl<'a> Reader<'a> {
    /// A reader over all of `packet`.
    pub(crate) fn new(packet: &'a Bytes) -> Self {
        Self {
            data: packet,
            whole: packet,
            at: 0,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len()
    }

    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if self.data.len() < n {
            return Err(malformed(format_args!(
                "{what} runs past the end of the packet"
            )));
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        self.at += n;
        Ok(head)
    }

    /// A reader over the next `n` bytes, which this one skips.
    pub(crate) fn sub(&mut self, n: usize) -> Result<Reader<'a>> {
        let at = self.at;
        let data = self.take(n, "a property list")?;
        Ok(Reader {
            data,
            whole: self.whole,
            at,
        })
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1, "a byte")?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        let b = self.take(2, "a two-byte integer")?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4, "a four-byte integer")?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A variable byte integer (at most four bytes).
    pub(crate) fn varint(&mut self) -> Result<u32> {
        let mut value = 0u32;
        for i in 0..4 {
            let b = self.u8()?;
            value |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(malformed("a variable byte integer longer than four bytes"))
    }

    /// Binary data: a two-byte length, then the bytes (shared, not copied).
    pub(crate) fn binary(&mut self) -> Result<Bytes> {
        let len = usize::from(self.u16()?);
        let start = self.at;
        self.take(len, "binary data")?;
        Ok(self.whole.slice(start..start + len))
    }

    /// A UTF-8 string: a two-byte length, then the text, which must be valid
    /// UTF-8 without U+0000 (3.1.1 section 1.5.3, 5.0 section 1.5.4).
    pub(crate) fn string(&mut self) -> Result<String> {
        let len = usize::from(self.u16()?);
        let b = self.take(len, "a string")?;
        if b.contains(&0) {
            return Err(malformed("a string with the character U+0000"));
        }
        let s = std::str::from_utf8(b).map_err(|_| malformed("a string that is not UTF-8"))?;
        Ok(s.to_owned())
    }

    /// The rest of the packet (a PUBLISH payload), shared.
    pub(crate) fn rest(&mut self) -> Bytes {
        let start = self.at;
        let n = self.data.len();
        self.data = &[];
        self.at += n;
        self.whole.slice(start..start + n)
    }

    /// Fails unless everything was read.
    pub(crate) fn end(&self, packet: &str) -> Result<()> {
        if self.data.is_empty() {
            Ok(())
        } else {
            Err(malformed(format_args!(
                "{} unexpected byte(s) at the end of a {packet}",
                self.data.len()
            )))
        }
    }
}

/// The number of bytes `n` takes as a variable byte integer.
pub(crate) fn varint_len(n: usize) -> usize {
    match n {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// Writes `n` (at most [`MAX_VARINT`]) as a variable byte integer.
pub(crate) fn put_varint(out: &mut BytesMut, mut n: usize) {
    debug_assert!(n <= MAX_VARINT);
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.put_u8(b);
        if n == 0 {
            return;
        }
    }
}

/// Writes a string (its length checked beforehand by the encoder).
pub(crate) fn put_string(out: &mut BytesMut, s: &str) {
    out.put_u16(s.len() as u16);
    out.put_slice(s.as_bytes());
}

/// Writes binary data (its length checked beforehand by the encoder).
pub(crate) fn put_binary(out: &mut BytesMut, b: &[u8]) {
    out.put_u16(b.len() as u16);
    out.put_slice(b);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn variable_byte_integers_round_trip_at_every_length_boundary() {
        for n in [
            0, 127, 128, 16_383, 16_384, 2_097_151, 2_097_152, MAX_VARINT,
        ] {
            let mut out = BytesMut::new();
            put_varint(&mut out, n);
            assert_eq!(out.len(), varint_len(n), "{n}");
            let b = out.freeze();
            assert_eq!(Reader::new(&b).varint().unwrap() as usize, n);
        }
        let five = Bytes::from_static(&[0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(Reader::new(&five).varint().is_err());
    }

    #[test]
    fn strings_refuse_bad_utf8_nul_and_short_input() {
        for bad in [
            &b"\x00\x02\xc3\x28"[..],
            &b"\x00\x01\x00"[..],
            &b"\x00\x05ab"[..],
            &b"\x00"[..],
        ] {
            let b = Bytes::copy_from_slice(bad);
            assert!(Reader::new(&b).string().is_err(), "{bad:?}");
        }
        let ok = Bytes::from_static(b"\x00\x03a/b");
        assert_eq!(Reader::new(&ok).string().unwrap(), "a/b");
    }
}
