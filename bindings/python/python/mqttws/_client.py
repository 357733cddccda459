"""``mqttws.Client``: the native blocking client, plus the paho-mqtt habits
(``on_message`` / ``on_connect`` / ``on_disconnect`` callbacks run by
``loop_start()`` / ``loop_forever()``), kept small, for migration.

The native class (``mqttws._mqttws.Client``) does the work; this subclass
adds only what is written here.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
from typing import TYPE_CHECKING, Callable, Iterator, Optional

from . import _mqttws
from ._mqttws import Connected, Disconnected, Message
from .exceptions import ClosedError, MqttError

__all__ = ["Client"]

#: How long the callback loop waits for an event before looking at
#: ``loop_stop()`` again.
_LOOP_SLICE = 0.1


class Client(_mqttws.Client):
    # The docstring is the native class's (its constructor arguments).
    __doc__ = _mqttws.Client.__doc__
    __module__ = "mqttws"

    #: ``on_connect(client, session_present)``: after ``connect()`` and after
    #: every automatic reconnect. Run by the loop (``loop_start()`` /
    #: ``loop_forever()``), on its thread: subscribing here restores
    #: subscriptions after a reconnect without a stored session.
    on_connect: Optional[Callable[[Client, bool], object]] = None
    #: ``on_message(client, message)``: every message received.
    on_message: Optional[Callable[[Client, Message], object]] = None
    #: ``on_disconnect(client, reason)``: the connection ended (``reason`` is
    #: the error text, or ``"disconnect() called"``).
    on_disconnect: Optional[Callable[[Client, str], object]] = None

    _loop_thread: Optional[threading.Thread] = None
    _loop_stop: Optional[threading.Event] = None
    # The outcome of connect() not yet reported to on_connect.
    _connected_pending: Optional[bool] = None
    _disconnect_called = False

    if not TYPE_CHECKING:
        # For help() and inspect.signature(): the native constructor's
        # signature (type checkers read the stub's).
        def __new__(cls, *args, **kwargs):
            """Creates a client; see the class documentation for the arguments."""
            return super().__new__(cls, *args, **kwargs)

        __new__.__signature__ = inspect.signature(_mqttws.Client).replace(
            parameters=[
                inspect.Parameter("cls", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                *inspect.signature(_mqttws.Client).parameters.values(),
            ]
        )

    def connect(self) -> bool:
        """Connects (DNS, TCP, TLS, WebSocket upgrade, CONNECT/CONNACK) within
        ``connect_timeout``. Returns whether the broker resumed a stored
        session. With callbacks, the loop then calls ``on_connect``."""
        present = super().connect()
        self._disconnect_called = False
        self._connected_pending = present
        return present

    def disconnect(self) -> None:
        """Sends DISCONNECT and closes the connection (the broker discards the
        will). Does nothing when not connected. A running loop calls
        ``on_disconnect`` and ``loop_forever()`` returns."""
        self._disconnect_called = True
        super().disconnect()

    @contextlib.contextmanager
    def corked(self) -> Iterator[Client]:
        """``cork()`` for the ``with`` block, ``uncork()`` when it ends (also
        when it raises): the publishes of the block leave in a few writes,
        and are with the socket when the block ends::

            with client.corked():
                for reading in readings:
                    client.publish("sensors/1", reading)
        """
        self.cork()
        try:
            yield self
        finally:
            self.uncork()

    # ------------------------------------------------------------ the loop

    def loop_start(self) -> None:
        """Starts a thread that runs the callbacks (see ``loop_forever()``)
        until ``loop_stop()``. Does nothing if it runs already."""
        if self._loop_thread is not None and self._loop_thread.is_alive():
            return
        stop = threading.Event()
        self._loop_stop = stop
        self._loop_thread = threading.Thread(
            target=self._run_loop, args=(stop, False), name="mqttws-loop", daemon=True
        )
        self._loop_thread.start()

    def loop_stop(self) -> None:
        """Stops the thread of ``loop_start()`` and waits for it (unless
        called from a callback, on that thread)."""
        thread, stop = self._loop_thread, self._loop_stop
        if thread is None or stop is None:
            return
        stop.set()
        if thread is not threading.current_thread():
            thread.join()
        self._loop_thread = None

    def loop_forever(self) -> None:
        """Runs the callbacks in this thread: ``on_connect`` after
        ``connect()`` and each automatic reconnect, ``on_message`` for each
        message, ``on_disconnect`` when the connection ends. Returns after
        ``disconnect()``, or after a drop without automatic reconnect (once
        ``on_disconnect`` ran). An exception in a callback ends the loop and
        is raised here. Ctrl-C interrupts it."""
        self._run_loop(threading.Event(), True)

    def _run_loop(self, stop: threading.Event, forever: bool) -> None:
        up = False  # on_connect reported, on_disconnect not yet
        while not stop.is_set():
            present, self._connected_pending = self._connected_pending, None
            if present is not None:
                up = True
                if self.on_connect is not None:
                    self.on_connect(self, present)
            try:
                event = self.poll(timeout=_LOOP_SLICE)
            except MqttError as e:
                if self._connected_pending is not None:
                    continue  # connect() again meanwhile
                if up:
                    up = False
                    reason = "disconnect() called" if self._disconnect_called else str(e)
                    if self.on_disconnect is not None:
                        self.on_disconnect(self, reason)
                    if forever:
                        return
                elif forever:
                    raise
                elif self.closed:
                    return
                else:
                    # Not connected (yet, or again): wait for connect().
                    stop.wait(_LOOP_SLICE)
                continue
            if isinstance(event, Message):
                if self.on_message is not None:
                    self.on_message(self, event)
            elif isinstance(event, Connected):
                up = True
                if self.on_connect is not None:
                    self.on_connect(self, event.session_present)
            elif isinstance(event, Disconnected):
                up = False
                if self.on_disconnect is not None:
                    self.on_disconnect(self, event.reason)
