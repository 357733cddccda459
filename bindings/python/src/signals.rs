//! Ctrl-C for calls that block in the core without slices.
//!
//! Python runs signal handlers on the main thread only, between bytecodes,
//! and `py.check_signals()` is the only way to learn that one is pending.
//! A thread blocked in the core (in `connect()` waiting for a silent
//! server, say) therefore cannot notice Ctrl-C. So when the main thread
//! makes such a call, the call runs on a helper thread while the main
//! thread waits for its result in slices of [`CHECK`], checking for signals
//! in between. When a handler raises (`KeyboardInterrupt`), the main thread
//! ends the call (the `cancel` closure interrupts the core), waits briefly
//! for it to return, and raises.
//!
//! Calls from other threads run where they are: signals never reach them.
//!
//! There is one helper thread per process, started on first use (and again
//! in a child after `fork()`): the main thread makes one call at a time.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The longest a wait stays in the core before checking for signals.
pub(crate) const SLICE: Duration = Duration::from_millis(50);

/// How often the main thread checks for signals while a call runs on the
/// helper thread (a signal does not wake its wait, as it wakes the core's).
const CHECK: Duration = Duration::from_millis(20);

/// How long the main thread waits for an interrupted call to return before
/// raising anyway (only a DNS lookup, which cannot be interrupted, takes
/// longer).
const GRACE: Duration = Duration::from_millis(200);

type Job = Box<dyn FnOnce() + Send>;

/// The helper thread's queue, and the process it was started in.
static HELPER: Mutex<Option<(u32, Sender<Job>)>> = Mutex::new(None);

/// The Rust id of Python's main thread, once known.
static MAIN: OnceLock<ThreadId> = OnceLock::new();

/// Whether this is the thread Python runs signal handlers on.
pub(crate) fn on_main_thread(py: Python<'_>) -> bool {
    let me = thread::current().id();
    if let Some(main) = MAIN.get() {
        return *main == me;
    }
    let is_main = (|| -> PyResult<bool> {
        let threading = py.import("threading")?;
        let current = threading.call_method0("current_thread")?;
        Ok(current.is(&threading.call_method0("main_thread")?))
    })()
    .unwrap_or(false);
    if is_main {
        let _ = MAIN.set(me);
    }
    is_main
}

fn submit(job: Job) -> Result<(), Job> {
    let mut helper = HELPER.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if let Some((owner, tx)) = helper.as_ref()
        && *owner == pid
    {
        return tx.send(job).map_err(|e| e.0);
    }
    // None yet, or inherited through fork() without its thread.
    let (tx, rx) = mpsc::channel::<Job>();
    let started = thread::Builder::new()
        .name("mqttws-signals".into())
        .spawn(move || {
            for job in rx {
                // A panic was turned into an error by the job's own channel
                // closing; the helper goes on serving.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        });
    if started.is_err() {
        return Err(job);
    }
    let r = tx.send(job).map_err(|e| e.0);
    *helper = Some((pid, tx));
    r
}

/// Runs `call` so that Ctrl-C ends it: on the helper thread while the main
/// thread checks for signals, or right here (detached) on other threads.
/// `cancel` must make `call` return promptly (it interrupts the core).
pub(crate) fn interruptible<R: Send + 'static>(
    py: Python<'_>,
    call: impl FnOnce() -> R + Send + 'static,
    cancel: impl FnOnce(),
) -> PyResult<R> {
    if !on_main_thread(py) {
        return Ok(py.detach(call));
    }
    let (tx, rx) = mpsc::sync_channel(1);
    // In a Mutex so that the detached closures may borrow it.
    let rx = Mutex::new(rx);
    let recv = |timeout| {
        rx.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv_timeout(timeout)
    };
    submit(Box::new(move || {
        let _ = tx.send(call());
    }))
    .map_err(|_| PyRuntimeError::new_err("mqttws: cannot start a helper thread"))?;
    loop {
        match py.detach(|| recv(CHECK)) {
            Ok(r) => return Ok(r),
            Err(RecvTimeoutError::Timeout) => {
                if let Err(e) = py.check_signals() {
                    cancel();
                    let _ = py.detach(|| recv(GRACE));
                    return Err(e);
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err("mqttws: the call panicked"));
            }
        }
    }
}
