//! The panic boundary around every exported function.
//!
//! A panic that unwinds out of an `extern "C"` function aborts the host
//! process (Rust 1.81 and later), which for us is someone's device firmware.
//! So the body of every export runs inside [`ffi_panic_boundary!`], which
//! catches the unwind and returns [`PanicOrDefault::value`]: `MQTTWS_PANIC`
//! for functions returning [`mqttws_result`], and NULL, `0`, `false` or an
//! empty view for the others. No global panic hook is installed: the default
//! hook still prints the panic message to stderr, and the host's own hook, if
//! it has one, is left alone.

use std::ptr::{null, null_mut};

use crate::error::mqttws_result;
use crate::event::mqttws_event_kind;
use crate::slice::{mqttws_bytes, mqttws_str};

/// The value an export returns when its body panicked.
pub(crate) trait PanicOrDefault {
    fn value() -> Self;
}

impl PanicOrDefault for mqttws_result {
    fn value() -> Self {
        mqttws_result::MQTTWS_PANIC
    }
}

impl PanicOrDefault for () {
    fn value() -> Self {}
}

impl PanicOrDefault for bool {
    fn value() -> Self {
        false
    }
}

impl PanicOrDefault for u8 {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for u16 {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for u32 {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for u64 {
    fn value() -> Self {
        0
    }
}

impl PanicOrDefault for mqttws_bytes {
    fn value() -> Self {
        mqttws_bytes::of(&[])
    }
}

impl PanicOrDefault for usize {
    fn value() -> Self {
        0
    }
}

impl<T> PanicOrDefault for *const T {
    fn value() -> Self {
        null()
    }
}

impl<T> PanicOrDefault for *mut T {
    fn value() -> Self {
        null_mut()
    }
}

impl PanicOrDefault for mqttws_str {
    fn value() -> Self {
        mqttws_str::NONE
    }
}

impl PanicOrDefault for mqttws_event_kind {
    fn value() -> Self {
        mqttws_event_kind::MQTTWS_EVENT_NONE
    }
}

/// Runs the body in `catch_unwind`; on a panic, returns
/// `PanicOrDefault::value()` of the function's return type. `return` inside
/// the body returns from the function, as usual.
macro_rules! ffi_panic_boundary {
    ( $($tt:tt)* ) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| { $($tt)* })) {
            Ok(ret) => ret,
            Err(_) => return $crate::panic::PanicOrDefault::value(),
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::error::mqttws_result;

    extern "C" fn panics(boom: bool) -> mqttws_result {
        ffi_panic_boundary! {
            if boom {
                panic!("boom (this panic is expected by the test)");
            }
            mqttws_result::MQTTWS_OK
        }
    }

    extern "C" fn panics_returning_pointer() -> *mut u8 {
        ffi_panic_boundary! {
            let v: Vec<u8> = Vec::new();
            let _ = v[1];
            Box::into_raw(Box::new(0u8))
        }
    }

    #[test]
    fn a_panic_becomes_mqttws_panic_and_never_unwinds() {
        assert_eq!(panics(false), mqttws_result::MQTTWS_OK);
        assert_eq!(panics(true), mqttws_result::MQTTWS_PANIC);
    }

    #[test]
    fn a_panic_in_a_pointer_returning_function_gives_null() {
        assert!(panics_returning_pointer().is_null());
    }
}
