//! Pointer plumbing: how C handles map to Rust values, and how every pointer
//! parameter is checked before use.
//!
//! Each opaque C type (`mqttws_client`, ...) is a zero-sized marker struct
//! that implements [`Castable`], naming the Rust type behind the pointer and
//! how it is owned:
//!
//! * [`OwnershipBox`]: created with `Box::into_raw`, freed by the type's
//!   `_free`, mutated through `*mut` by one thread at a time;
//! * [`OwnershipArc`]: created with `Arc::into_raw`, immutable, shared by
//!   reference count (`mqttws_options`).
//!
//! Conversions go through the helpers below, never through bare `as` casts,
//! so that a pointer cannot be read as the wrong type. Every helper checks
//! for NULL and returns a [`Failure`] naming the parameter; the
//! `unsafe` left to the caller is the C side's promise that a non-NULL
//! pointer is what the header says it is (the header's "Conventions").

use std::ffi::{CStr, c_char};
use std::marker::PhantomData;
use std::path::Path;
use std::ptr::NonNull;
use std::sync::Arc;

use crate::error::{Failure, mqttws_result};

/// Marks a C type whose pointer owns a `Box<RustType>`.
pub(crate) struct OwnershipBox;

/// Marks a C type whose pointer owns one strong count of an `Arc<RustType>`.
pub(crate) struct OwnershipArc;

/// Maps an opaque C type to the Rust value behind its pointers.
pub(crate) trait Castable {
    /// [`OwnershipBox`] or [`OwnershipArc`].
    type Ownership;
    /// The Rust value a pointer to the C type points to.
    type RustType;
}

/// Moves `value` to the heap and returns it as an owning C pointer.
pub(crate) fn to_boxed_mut_ptr<C>(value: C::RustType) -> *mut C
where
    C: Castable<Ownership = OwnershipBox>,
{
    Box::into_raw(Box::new(value)).cast()
}

/// Moves `value` into a new `Arc` and returns it as an owning C pointer.
pub(crate) fn to_arc_const_ptr<C>(value: C::RustType) -> *const C
where
    C: Castable<Ownership = OwnershipArc>,
{
    arc_into_ptr(Arc::new(value))
}

/// Hands one strong count of `value` to C as an owning pointer.
pub(crate) fn arc_into_ptr<C>(value: Arc<C::RustType>) -> *const C
where
    C: Castable<Ownership = OwnershipArc>,
{
    Arc::into_raw(value).cast()
}

/// Frees a boxed value. NULL is a no-op.
///
/// # Safety
///
/// `ptr` is NULL or came from [`to_boxed_mut_ptr`] for the same `C` and was
/// not freed; nothing uses it afterwards.
pub(crate) unsafe fn free_box<C>(ptr: *mut C)
where
    C: Castable<Ownership = OwnershipBox>,
{
    if !ptr.is_null() {
        // SAFETY: per this function's contract.
        drop(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) });
    }
}

/// Releases one strong count of an `Arc`. NULL is a no-op.
///
/// # Safety
///
/// `ptr` is NULL or came from [`to_arc_const_ptr`] for the same `C`, and this
/// count was not released before.
pub(crate) unsafe fn free_arc<C>(ptr: *const C)
where
    C: Castable<Ownership = OwnershipArc>,
{
    if !ptr.is_null() {
        // SAFETY: per this function's contract.
        drop(unsafe { Arc::from_raw(ptr.cast::<C::RustType>()) });
    }
}

/// Borrows the value behind a handle, checking for NULL.
///
/// # Safety
///
/// `ptr` is NULL or a live handle of type `C` from this library, not
/// mutated elsewhere for `'a`.
pub(crate) unsafe fn obj<'a, C: Castable>(
    ptr: *const C,
    name: &str,
) -> Result<&'a C::RustType, Failure> {
    // SAFETY: per this function's contract, a non-NULL pointer points to a
    // live C::RustType (Box and Arc both point at the value itself).
    unsafe { ptr.cast::<C::RustType>().as_ref() }.ok_or_else(|| Failure::null(name))
}

/// Borrows the value behind a boxed handle mutably, checking for NULL.
///
/// # Safety
///
/// `ptr` is NULL or a live boxed handle of type `C` from this library, used
/// by no one else for `'a` (the header's one-thread-at-a-time rule).
pub(crate) unsafe fn obj_mut<'a, C>(ptr: *mut C, name: &str) -> Result<&'a mut C::RustType, Failure>
where
    C: Castable<Ownership = OwnershipBox>,
{
    // SAFETY: per this function's contract.
    unsafe { ptr.cast::<C::RustType>().as_mut() }.ok_or_else(|| Failure::null(name))
}

/// A handle to a value that another handle owns (a message's properties
/// inside its event): borrowed, never freed through this pointer.
pub(crate) fn borrowed_ptr<C: Castable>(value: &C::RustType) -> *const C {
    std::ptr::from_ref(value).cast()
}

/// Reads the value behind a handle for an accessor that has no result
/// code: NULL gives `default`.
///
/// # Safety
///
/// As [`obj`].
pub(crate) unsafe fn read<C: Castable, T>(
    ptr: *const C,
    default: T,
    f: impl FnOnce(&C::RustType) -> T,
) -> T {
    // SAFETY: per this function's contract.
    match unsafe { obj(ptr, "handle") } {
        Ok(v) => f(v),
        Err(_) => default,
    }
}

/// An accessor of an optional value: writes it to `value_out` (which may be
/// NULL, to ask only whether it is present) and returns true when `f` has
/// one; false, writing nothing, when it has none or `ptr` is NULL.
///
/// # Safety
///
/// As [`obj`] for `ptr`; `value_out` is NULL or valid for writing one `T`.
pub(crate) unsafe fn read_opt<C: Castable, T>(
    ptr: *const C,
    value_out: *mut T,
    f: impl FnOnce(&C::RustType) -> Option<T>,
) -> bool {
    // SAFETY: per this function's contract.
    let Some(value) = (unsafe { read(ptr, None, f) }) else {
        return false;
    };
    // SAFETY: per this function's contract.
    if let Some(o) = unsafe { opt_out(value_out) } {
        o.write(value);
    }
    true
}

/// Takes back ownership of a boxed handle, checking for NULL.
///
/// # Safety
///
/// `ptr` is NULL or a live boxed handle of type `C` from this library, and
/// the caller gives it up (it is freed when the box is dropped).
pub(crate) unsafe fn obj_box<C>(ptr: *mut C, name: &str) -> Result<Box<C::RustType>, Failure>
where
    C: Castable<Ownership = OwnershipBox>,
{
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: per this function's contract.
    Ok(unsafe { Box::from_raw(ptr.cast::<C::RustType>()) })
}

/// A new strong reference to the value behind an `Arc` handle, checking for
/// NULL. The handle keeps its own count.
///
/// # Safety
///
/// `ptr` is NULL or a live `Arc` handle of type `C` from this library.
pub(crate) unsafe fn obj_arc<C>(ptr: *const C, name: &str) -> Result<Arc<C::RustType>, Failure>
where
    C: Castable<Ownership = OwnershipArc>,
{
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    let ptr = ptr.cast::<C::RustType>();
    // SAFETY: per this function's contract the handle holds one count, so
    // the value is alive; we add a count for the Arc we return.
    unsafe {
        Arc::increment_strong_count(ptr);
        Ok(Arc::from_raw(ptr))
    }
}

/// A NUL-terminated UTF-8 string parameter.
///
/// # Safety
///
/// `ptr` is NULL or points to a NUL-terminated string that stays valid and
/// unchanged for `'a`.
pub(crate) unsafe fn cstr<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: per this function's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    s.to_str()
        .map_err(|_| Failure::invalid(name, "is not valid UTF-8"))
}

/// A NUL-terminated file path parameter (any bytes on Unix, UTF-8 elsewhere).
///
/// # Safety
///
/// As [`cstr`].
pub(crate) unsafe fn path<'a>(ptr: *const c_char, name: &str) -> Result<&'a Path, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: per this function's contract.
    let s = unsafe { CStr::from_ptr(ptr) };
    if s.is_empty() {
        return Err(Failure::invalid(name, "is empty"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(Path::new(std::ffi::OsStr::from_bytes(s.to_bytes())))
    }
    #[cfg(not(unix))]
    {
        s.to_str()
            .map(Path::new)
            .map_err(|_| Failure::invalid(name, "is not valid UTF-8"))
    }
}

/// A byte-slice parameter given as pointer + length. NULL is accepted only
/// with `len` 0.
///
/// # Safety
///
/// `ptr` is NULL or valid for reading `len` bytes that stay unchanged for
/// `'a`.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::null(name))
        };
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid(name, "has a length larger than memory"));
    }
    // SAFETY: non-NULL, length checked against isize::MAX, and readable per
    // this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A UTF-8 text parameter given as pointer + length (not NUL-terminated).
/// NULL is refused even with `len` 0; NUL characters are refused.
///
/// # Safety
///
/// As [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: per this function's contract.
    let b = unsafe { bytes(ptr.cast::<u8>(), len, name) }?;
    let s = std::str::from_utf8(b).map_err(|_| Failure::invalid(name, "is not valid UTF-8"))?;
    if s.contains('\0') {
        return Err(Failure::invalid(name, "contains a NUL character"));
    }
    Ok(s)
}

/// An array parameter of `count` elements. NULL is refused; `count` 0 is
/// refused too (an empty request is a mistake).
///
/// # Safety
///
/// `ptr` is NULL or valid for reading `count` initialised `T`s that stay
/// unchanged for `'a`.
pub(crate) unsafe fn array<'a, T>(
    ptr: *const T,
    count: usize,
    name: &str,
) -> Result<&'a [T], Failure> {
    if ptr.is_null() {
        return Err(Failure::null(name));
    }
    if count == 0 {
        return Err(Failure::invalid(name, "has 0 elements"));
    }
    if count > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(Failure::invalid(name, "has more elements than memory"));
    }
    // SAFETY: non-NULL, size checked, readable per this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// A checked, non-NULL output parameter, written at most once, at the end of
/// a successful call.
pub(crate) struct Out<'a, T> {
    ptr: NonNull<T>,
    _borrow: PhantomData<&'a mut T>,
}

impl<T> Out<'_, T> {
    /// Writes the output (without reading or dropping the old contents,
    /// which may be uninitialised C memory).
    pub(crate) fn write(self, value: T) {
        // SAFETY: `out` checked non-NULL and its caller vouched that the
        // pointer is valid for writing a T.
        unsafe { self.ptr.as_ptr().write(value) }
    }
}

/// An output parameter; NULL gives `MQTTWS_NULL_PARAMETER`.
///
/// # Safety
///
/// `ptr` is NULL or valid for writing one `T` (aligned) for `'a`.
pub(crate) unsafe fn out<'a, T>(ptr: *mut T, name: &str) -> Result<Out<'a, T>, Failure> {
    NonNull::new(ptr)
        .map(|ptr| Out {
            ptr,
            _borrow: PhantomData,
        })
        .ok_or_else(|| Failure::null(name))
}

/// An optional output parameter: `None` for NULL.
///
/// # Safety
///
/// As [`out`].
pub(crate) unsafe fn opt_out<'a, T>(ptr: *mut T) -> Option<Out<'a, T>> {
    NonNull::new(ptr).map(|ptr| Out {
        ptr,
        _borrow: PhantomData,
    })
}

/// A QoS parameter: 0, 1 or 2.
pub(crate) fn qos(value: u8, name: &str) -> Result<mqttws_core::QoS, Failure> {
    match value {
        0 => Ok(mqttws_core::QoS::AtMostOnce),
        1 => Ok(mqttws_core::QoS::AtLeastOnce),
        2 => Ok(mqttws_core::QoS::ExactlyOnce),
        _ => Err(Failure::invalid(
            name,
            format_args!("is {value}; QoS must be 0, 1 or 2"),
        )),
    }
}

/// Runs an export's body and turns its outcome into the return code.
pub(crate) fn run(body: impl FnOnce() -> Result<(), Failure>) -> mqttws_result {
    crate::error::code_of(body())
}

/// As [`run`], for an export with an optional `err_out` last parameter: a
/// failure's detail goes to the caller as an `mqttws_error`.
///
/// # Safety
///
/// `err_out` is NULL or valid for writing one pointer.
pub(crate) unsafe fn run_reporting(
    err_out: *mut *mut crate::error::mqttws_error,
    body: impl FnOnce() -> Result<(), Failure>,
) -> mqttws_result {
    match body() {
        Ok(()) => mqttws_result::MQTTWS_OK,
        // SAFETY: per this function's contract.
        Err(f) => unsafe { crate::error::report(f, err_out) },
    }
}

#[cfg(test)]
// The tests pass pointers to live local buffers or NULL on purpose.
#[allow(clippy::undocumented_unsafe_blocks)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_null_invalid_utf8_and_nul() {
        let ok = b"a/b";
        assert_eq!(unsafe { text(ok.as_ptr().cast(), 3, "t") }.unwrap(), "a/b");
        let e = unsafe { text(std::ptr::null(), 0, "topic") }.unwrap_err();
        assert_eq!(e.code, mqttws_result::MQTTWS_NULL_PARAMETER);
        assert_eq!(e.message, "parameter `topic` is NULL");
        let bad = [0xffu8, 0xfe];
        let e = unsafe { text(bad.as_ptr().cast(), 2, "topic") }.unwrap_err();
        assert_eq!(e.code, mqttws_result::MQTTWS_INVALID_PARAMETER);
        let nul = b"a\0b";
        let e = unsafe { text(nul.as_ptr().cast(), 3, "topic") }.unwrap_err();
        assert_eq!(e.code, mqttws_result::MQTTWS_INVALID_PARAMETER);
    }

    #[test]
    fn bytes_accepts_null_only_when_empty() {
        assert!(
            unsafe { bytes(std::ptr::null(), 0, "p") }
                .unwrap()
                .is_empty()
        );
        let e = unsafe { bytes(std::ptr::null(), 1, "p") }.unwrap_err();
        assert_eq!(e.code, mqttws_result::MQTTWS_NULL_PARAMETER);
        let one = [1u8];
        let e = unsafe { bytes(one.as_ptr(), usize::MAX, "p") }.unwrap_err();
        assert_eq!(e.code, mqttws_result::MQTTWS_INVALID_PARAMETER);
    }

    #[test]
    fn qos_above_two_is_an_invalid_parameter() {
        assert!(qos(2, "qos").is_ok());
        assert_eq!(
            qos(3, "qos").unwrap_err().code,
            mqttws_result::MQTTWS_INVALID_PARAMETER
        );
    }
}
