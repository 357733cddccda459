//! Borrowed views handed to C, and text copied out into C buffers.

use std::ffi::c_char;

use crate::error::{Failure, mqttws_result};
use crate::ffi::out;

/// A borrowed UTF-8 string: `len` bytes at `data`, not counting a
/// terminating NUL.
///
/// The library always puts a NUL after the `len` bytes, so `data` can also
/// be printed as a C string; `len` is authoritative. Views of absent values
/// (an unset user name...) have `data` = NULL and `len` = 0. A view is valid
/// only as long as the function that produced it says; copy what you keep.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_str {
    /// The first byte, or NULL for an absent value.
    pub data: *const c_char,
    /// The number of bytes, without the terminating NUL.
    pub len: usize,
}

impl mqttws_str {
    /// The view of an absent value: NULL, 0.
    pub(crate) const NONE: Self = Self {
        data: std::ptr::null(),
        len: 0,
    };

    /// A view of `buf`, which must end with a NUL that the view excludes.
    pub(crate) fn of_nul_terminated(buf: &[u8]) -> Self {
        debug_assert_eq!(buf.last(), Some(&0));
        Self {
            data: buf.as_ptr().cast(),
            len: buf.len().saturating_sub(1),
        }
    }
}

/// Borrowed bytes: `len` bytes at `data` (binary, not NUL-terminated).
///
/// `data` is never NULL in a view the library hands out, even when `len` is
/// 0. The lifetime is stated by the function that produced it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct mqttws_bytes {
    /// The first byte.
    pub data: *const u8,
    /// The number of bytes.
    pub len: usize,
}

impl mqttws_bytes {
    /// A view of `bytes`; an empty view points at a static byte, not NULL.
    pub(crate) fn of(bytes: &[u8]) -> Self {
        static EMPTY: [u8; 1] = [0];
        if bytes.is_empty() {
            Self {
                data: EMPTY.as_ptr(),
                len: 0,
            }
        } else {
            Self {
                data: bytes.as_ptr(),
                len: bytes.len(),
            }
        }
    }
}

/// `text` followed by a NUL, as owned bytes for a [`mqttws_str`] view.
pub(crate) fn nul_terminated(text: &str) -> Box<[u8]> {
    let mut v = Vec::with_capacity(text.len() + 1);
    v.extend_from_slice(text.as_bytes());
    v.push(0);
    v.into_boxed_slice()
}

/// The text of a buffer made by [`nul_terminated`], without its NUL.
pub(crate) fn text_of(buf: &[u8]) -> String {
    // Valid UTF-8 by construction; `lossy` only avoids a panic path.
    String::from_utf8_lossy(buf.strip_suffix(&[0]).unwrap_or(buf)).into_owned()
}

/// The view of an optional NUL-terminated buffer: `data` NULL when absent.
pub(crate) fn opt_view(field: Option<&[u8]>) -> mqttws_str {
    field.map_or(mqttws_str::NONE, mqttws_str::of_nul_terminated)
}

/// A name and a value (an HTTP header, an MQTT 5 user property), each
/// NUL-terminated.
pub(crate) type TextPair = (Box<[u8]>, Box<[u8]>);

/// `(name, value)` as a [`TextPair`].
pub(crate) fn text_pair((name, value): &(String, String)) -> TextPair {
    (nul_terminated(name), nul_terminated(value))
}

/// Writes the views of `list[index]` to `name_out` and `value_out`, for the
/// `_count` + i-th accessor pairs (`index` out of range:
/// `MQTTWS_INVALID_PARAMETER`).
///
/// # Safety
///
/// `name_out` and `value_out` are NULL or valid for writing one view.
pub(crate) unsafe fn pair_at(
    list: &[TextPair],
    index: usize,
    name_out: *mut mqttws_str,
    value_out: *mut mqttws_str,
) -> Result<(), Failure> {
    // SAFETY: per this function's contract.
    let (name_out, value_out) =
        unsafe { (out(name_out, "name_out")?, out(value_out, "value_out")?) };
    let (k, v) = list.get(index).ok_or_else(|| {
        Failure::invalid(
            "index",
            format_args!("is {index}; there are {}", list.len()),
        )
    })?;
    name_out.write(mqttws_str::of_nul_terminated(k));
    value_out.write(mqttws_str::of_nul_terminated(v));
    Ok(())
}

/// Copies `text` and a NUL into `buf` (`len` bytes) and its length without
/// the NUL into `*out_n`. If it does not fit, copies nothing, writes the
/// size needed (with the NUL) into `*out_n` and returns
/// `MQTTWS_INSUFFICIENT_SIZE`. NULL `out_n`, or NULL `buf` with `len` > 0,
/// gives `MQTTWS_NULL_PARAMETER`.
///
/// # Safety
///
/// `buf` is NULL or valid for writing `len` bytes; `out_n` is NULL or valid
/// for writing a `usize`.
pub(crate) unsafe fn copy_text(
    text: &str,
    buf: *mut c_char,
    len: usize,
    out_n: *mut usize,
) -> mqttws_result {
    if out_n.is_null() || (buf.is_null() && len > 0) {
        return mqttws_result::MQTTWS_NULL_PARAMETER;
    }
    let n = text.len();
    if len < n + 1 {
        // SAFETY: checked non-NULL; writable per the contract.
        unsafe { out_n.write(n + 1) };
        return mqttws_result::MQTTWS_INSUFFICIENT_SIZE;
    }
    // SAFETY: buf is non-NULL here (len >= 1) and writable for len >= n + 1
    // bytes; the source is a distinct Rust allocation.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), n);
        buf.add(n).write(0);
        out_n.write(n);
    }
    mqttws_result::MQTTWS_OK
}

#[cfg(test)]
// The tests pass pointers to live local buffers or NULL on purpose.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_reports_the_size_needed_and_nul_terminates() {
        let mut n = 0usize;
        assert_eq!(
            unsafe { copy_text("hello", std::ptr::null_mut(), 0, &mut n) },
            mqttws_result::MQTTWS_INSUFFICIENT_SIZE
        );
        assert_eq!(n, 6);
        let mut buf = [0x55 as c_char; 6];
        assert_eq!(
            unsafe { copy_text("hello", buf.as_mut_ptr(), 5, &mut n) },
            mqttws_result::MQTTWS_INSUFFICIENT_SIZE
        );
        assert_eq!(buf[0], 0x55, "nothing copied when it does not fit");
        assert_eq!(
            unsafe { copy_text("hello", buf.as_mut_ptr(), 6, &mut n) },
            mqttws_result::MQTTWS_OK
        );
        assert_eq!(n, 5);
        assert_eq!(buf[5], 0);
        assert_eq!(
            unsafe { copy_text("x", buf.as_mut_ptr(), 6, std::ptr::null_mut()) },
            mqttws_result::MQTTWS_NULL_PARAMETER
        );
        assert_eq!(
            unsafe { copy_text("x", std::ptr::null_mut(), 6, &mut n) },
            mqttws_result::MQTTWS_NULL_PARAMETER
        );
    }

    #[test]
    fn empty_byte_views_are_not_null() {
        assert!(!mqttws_bytes::of(&[]).data.is_null());
        let s = nul_terminated("ab");
        let v = mqttws_str::of_nul_terminated(&s);
        assert_eq!(v.len, 2);
    }
}
