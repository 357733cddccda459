"""``mqttws.AsyncClient``: the client for asyncio.

::

    async with mqttws.AsyncClient(url, client_id="rig-1") as client:
        await client.subscribe("sensors/#", qos=1)
        await client.publish("sensors/1", b"21.5", qos=1)  # returns once PUBACK came
        async for message in client.messages(timeout=5):
            print(message.topic, message.payload)

# Theory of operation

The engine is the blocking native client. Two threads per client serve any
number of pending calls, so nothing ever blocks the event loop:

* the *writer* runs the calls that send (``connect``, ``publish``,
  ``subscribe``, ``unsubscribe``, ``disconnect``) one at a time, in the
  order they were made (so publishes keep their order). Publishes queued
  behind one another run corked and leave in a few writes; they resolve
  once the batch is written;
* the *reader* waits for what the broker sends (``Client.poll()``), hands
  messages and events to the tasks awaiting ``recv()`` / ``poll()`` /
  ``messages()``, and resolves each QoS 1/2 ``publish()`` when its
  acknowledgement arrived. It reads at most ``_READ_AHEAD`` messages
  (``_READ_AHEAD_BYTES`` bytes) ahead of the application; beyond that, the
  native client's ``incoming_queue`` bounds apply and TCP pushes back.

Futures are resolved on the event loop with ``call_soon_threadsafe``.
Cancelling an awaiting call returns at once: a call not started yet is
dropped; a running one is ended with ``Client._interrupt_calls()`` (which
leaves the reader's wait alone); a publish waiting for its acknowledgement
stops waiting (the message is already sent and stays in flight).
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections import deque
from types import TracebackType
from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Callable,
    Deque,
    Dict,
    List,
    Optional,
    Sequence,
    Tuple,
    Type,
    Union,
    overload,
)

from . import _mqttws
from ._mqttws import Dropped, Message, Published, PublishHandle, Rejected
from .exceptions import ClosedError, MqttError, TimeoutError

if TYPE_CHECKING:
    from ._mqttws import (
        ConnAckProperties,
        Credentials,
        OfflineQueue,
        Platform,
        PublishProperties,
        ReconnectPolicy,
        SubscribeReply,
        _Event,
        _Headers,
        _Path,
        _Payload,
        _UserProperties,
        _Will,
    )

__all__ = ["AsyncClient"]

_SLICE = 0.05
_READ_AHEAD = 256
_READ_AHEAD_BYTES = 4 << 20
# Most publishes one corked batch holds back: a steady stream of publishes
# still resolves them in batches, not when the stream pauses.
_BATCH_MAX = 256


class _End:
    """What ``recv()`` and ``messages()`` get once ``disconnect()`` was called
    and every message received before it was taken."""


class _Failed:
    """In the item queue: the connection failed (no automatic reconnect)."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


if TYPE_CHECKING:
    _Item = Union[_Event, _End, _Failed]


class _Op:
    """A call for the writer thread."""

    __slots__ = ("run", "future", "cancelled", "batchable")

    def __init__(self, run: Callable[[], Any], future: asyncio.Future[Any], batchable: bool = False) -> None:
        self.run = run
        self.future = future
        self.cancelled = False
        # A publish: may run corked with the publishes queued around it.
        self.batchable = batchable


def _resolve(future: asyncio.Future[Any], result: Any, error: Optional[BaseException]) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


def _wake(futures: List[asyncio.Future[None]]) -> None:
    for f in futures:
        if not f.done():
            f.set_result(None)


class _Engine:
    """The threads and state of one AsyncClient. Holds no reference to the
    AsyncClient, so that dropping it stops the threads (weakref.finalize)."""

    def __init__(self, client: _mqttws.Client) -> None:
        self.client = client
        # disconnect() or close() was called: the item stream ends.
        self.ended_by_app = False
        self.loop: Optional[asyncio.AbstractEventLoop] = None
        self.lock = threading.Lock()
        self.ops_ready = threading.Condition(self.lock)
        self.room = threading.Condition(self.lock)  # the reader waits for room
        self.ops: Deque[_Op] = deque()
        self.current: Optional[_Op] = None
        self.writer: Optional[threading.Thread] = None
        self.reader: Optional[threading.Thread] = None
        self.reading = False
        self.shutting_down = False
        self.items: Deque[_Item] = deque()
        self.item_bytes = 0
        self.waiters: List[asyncio.Future[None]] = []
        # QoS 1/2 publishes awaiting their acknowledgement, oldest first.
        self.pending: List[Tuple[PublishHandle, asyncio.Future[None]]] = []
        self.settling = threading.Lock()

    # ------------------------------------------------------------ threads

    def submit(self, loop: asyncio.AbstractEventLoop, run: Callable[[], Any], batchable: bool = False) -> _Op:
        op = _Op(run, loop.create_future(), batchable)
        with self.lock:
            if self.shutting_down:
                raise ClosedError("the client is closed")
            if self.writer is not None and not self.writer.is_alive():
                raise ClosedError("the client is closed")
            self.ops.append(op)
            if self.writer is None:
                self.writer = threading.Thread(target=self.write_loop, name="mqttws-aio-writer", daemon=True)
                self.writer.start()
            self.ops_ready.notify()
        return op

    def cancel(self, op: _Op) -> None:
        with self.lock:
            op.cancelled = True
            if self.current is op:
                # Under the lock: the writer cannot have moved on to the next
                # call, which therefore starts after this interrupt.
                self.client._interrupt_calls()

    def write_loop(self) -> None:
        # Publishes queued behind one another leave together: while more are
        # queued, the client stays corked, so a burst (``asyncio.gather`` of
        # many publishes) goes out in a few writes instead of one each. The
        # batch is uncorked when the queue runs dry, a call that is not a
        # publish comes next or it holds _BATCH_MAX publishes, and only then
        # are its publishes resolved: a QoS 0 publish still resolves once it
        # is written.
        held: List[Tuple[asyncio.Future[Any], Any, Optional[BaseException]]] = []
        while True:
            with self.lock:
                if held and (len(held) >= _BATCH_MAX or not (self.ops and self.ops[0].batchable)):
                    op = None
                else:
                    while not self.ops and not self.shutting_down:
                        self.ops_ready.wait()
                    if not self.ops:
                        return
                    op = self.ops.popleft()
                    if op.cancelled:
                        continue
                    self.current = op
                    cork = op.batchable and not held and bool(self.ops) and self.ops[0].batchable
            if op is None:
                self.release(held)
                held = []
                continue
            result: Any = None
            error: Optional[BaseException] = None
            try:
                if cork:
                    self.client.cork()
                result = op.run()
            except BaseException as e:  # noqa: BLE001 - handed to the awaiting task
                error = e
            with self.lock:
                self.current = None
            if cork or held:
                held.append((op.future, result, error))
            else:
                self.resolve(op.future, result, error)

    def release(self, held: List[Tuple[asyncio.Future[Any], Any, Optional[BaseException]]]) -> None:
        """Ends a corked batch: writes it, then resolves its publishes (with
        the uncork's failure, if the batch could not be written)."""
        failure: Optional[BaseException] = None
        try:
            self.client.uncork()
        except BaseException as e:  # noqa: BLE001 - handed to the awaiting tasks
            failure = e
        for future, result, error in held:
            self.resolve(future, result, error or failure)

    def resolve(self, future: asyncio.Future[Any], result: Any = None, error: Optional[BaseException] = None) -> None:
        loop = self.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_resolve, future, result, error)

    def start_reading(self) -> None:
        old = self.reader
        if old is not None:
            old.join()
        with self.lock:
            self.reading = True
            self.ended_by_app = False
            self.reader = threading.Thread(target=self.read_loop, name="mqttws-aio-reader", daemon=True)
            self.reader.start()

    def end(self, run: Callable[[], None]) -> None:
        """disconnect() and close(): ends the item stream and stops the
        reader around ``run`` (the native call)."""
        with self.lock:
            self.ended_by_app = True
            self.reading = False
            self.room.notify()
            reader = self.reader
        try:
            run()
        finally:
            if reader is not None:
                reader.join()
            self.fail_pending(ClosedError("disconnected before the acknowledgement"))
            self.wake()

    def read_loop(self) -> None:
        while True:
            with self.lock:
                if not self.reading:
                    return
                full = len(self.items) >= _READ_AHEAD or self.item_bytes >= _READ_AHEAD_BYTES
                oldest = self.pending[0][0] if self.pending else None
                if full and oldest is None:
                    self.room.wait(_SLICE)
                    continue
            if full:
                assert oldest is not None
                # Acknowledgements only: messages wait in the native client.
                try:
                    oldest.wait(_SLICE)
                except TimeoutError:
                    pass
                except MqttError:
                    pass  # the sweep hands it to the publisher
                self.sweep()
                continue
            try:
                event = self.client.poll(_SLICE)
            except MqttError as e:
                # A drop without automatic reconnect, or disconnect().
                self.sweep()
                with self.lock:
                    if not self.reading:
                        return
                    self.reading = False
                self.push(_Failed(e))
                return
            if event is None:
                self.sweep()
            elif isinstance(event, (Published, Rejected)):
                # The publish() awaiting it resolves or raises RejectedError:
                # reported once, as the blocking client's wait takes it.
                self.check(event.packet_id)
            else:
                if isinstance(event, Dropped) and event.packet_id is not None:
                    self.check(event.packet_id)
                self.push(event)

    # ------------------------------------------------------ acknowledgements

    def expect_ack(self, handle: PublishHandle, future: asyncio.Future[None]) -> None:
        """Called by the writer after a QoS 1/2 publish."""
        stale = []
        with self.lock:
            # The native client reuses a packet id only once it is
            # acknowledged: an older publish with this id is done.
            for entry in self.pending:
                if entry[0].packet_id == handle.packet_id:
                    stale.append(entry)
            for entry in stale:
                self.pending.remove(entry)
            self.pending.append((handle, future))
        for _, f in stale:
            self.resolve(f)
        # Acknowledged before it was registered: the reader saw the event first.
        self.check(handle.packet_id)

    def check(self, packet_id: Optional[int]) -> None:
        with self.lock:
            entries = [e for e in self.pending if e[0].packet_id == packet_id]
        self.settle(entries)

    def sweep(self) -> None:
        with self.lock:
            entries = list(self.pending)
        self.settle(entries)

    def settle(self, entries: List[Tuple[PublishHandle, asyncio.Future[None]]]) -> None:
        # One settler at a time (the reader and the writer both settle): a
        # handle reports a refusal (RejectedError) or a drop to one `done`
        # only, and that one must resolve the future.
        with self.settling:
            for entry in entries:
                with self.lock:
                    if entry not in self.pending:
                        continue
                handle, future = entry
                error: Optional[BaseException] = None
                try:
                    if not handle.done:
                        continue
                except MqttError as e:
                    error = e
                with self.lock:
                    if entry not in self.pending:
                        continue
                    self.pending.remove(entry)
                self.resolve(future, None, error)

    def fail_pending(self, error: BaseException) -> None:
        with self.lock:
            entries, self.pending = self.pending, []
        for _, future in entries:
            self.resolve(future, None, error)

    # -------------------------------------------------------------- items

    def push(self, item: _Item) -> None:
        with self.lock:
            self.items.append(item)
            if isinstance(item, Message):
                self.item_bytes += len(item.payload)
        self.wake()

    def wake(self) -> None:
        """Wakes the tasks waiting for an item."""
        with self.lock:
            waiters, self.waiters = self.waiters, []
        loop = self.loop
        if waiters and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_wake, waiters)

    def take(self, messages_only: bool) -> Optional[_Item]:
        """The next item, or None (call with the lock held)."""
        while self.items:
            item = self.items.popleft()
            if isinstance(item, Message):
                self.item_bytes -= len(item.payload)
                self.room.notify()
                return item
            if isinstance(item, _Failed) or not messages_only:
                return item
        if not self.reading:
            if self.ended_by_app:
                return _End()
            raise ClosedError("the connection is not open")
        return None

    def shutdown(self) -> None:
        """Closes the native client and ends both threads; calls made later
        raise ``ClosedError``. Blocks (close() runs it on the writer)."""
        with self.lock:
            self.shutting_down = True
            self.ops_ready.notify()
            queued, self.ops = list(self.ops), deque()
        for op in queued:
            self.resolve(op.future, None, ClosedError("the client is closed"))
        self.end(self.client.close)


class AsyncClient:
    """An MQTT 3.1.1 or 5.0 client over WebSocket for asyncio. Takes the same
    arguments as :class:`mqttws.Client` (see its documentation).

    Every method is a coroutine that never blocks the event loop, and may
    be cancelled: it then returns at once and the client stays usable.
    Errors are the exception classes of ``mqttws.exceptions``, as for the
    blocking client. Use one client from one event loop.

    With ``reconnect`` on, a drop raises nothing: ``recv()`` and
    ``messages()`` go on after the reconnect, publishes made meanwhile go
    to the offline queue and resolve once acknowledged after it, and
    ``poll()`` returns the ``Disconnected``, ``Reconnecting`` and
    ``Connected`` events. ``subscribe()`` while the link is down raises
    ``ClosedError``. Without reconnect, a drop makes the pending and next
    ``recv()`` (or the ``messages()`` loop) raise the error, after the
    messages that came before it; QoS 1/2 publishes still awaiting their
    acknowledgement raise ``ClosedError``.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        *,
        client_id: Optional[str] = None,
        username: Optional[str] = None,
        password: Optional[str] = None,
        keepalive: int = 60,
        clean_session: bool = True,
        ca_file: Optional[_Path] = None,
        cert_file: Optional[_Path] = None,
        key_file: Optional[_Path] = None,
        insecure: bool = False,
        headers: Optional[_Headers] = None,
        will: _Will = None,
        connect_timeout: float = 10.0,
        operation_timeout: float = 10.0,
        max_packet_size: Optional[int] = None,
        inflight_window: int = 20,
        credentials: Union[Platform, Credentials, None] = None,
        proxy: Optional[str] = None,
        reconnect: Union[bool, ReconnectPolicy, None] = None,
        offline_queue: Optional[OfflineQueue] = None,
        ws_ping: Optional[Tuple[float, float]] = None,
        store_dir: Optional[_Path] = None,
        incoming_queue: Optional[Tuple[int, int]] = None,
        protocol_version: int = 4,
        session_expiry: Optional[int] = None,
        receive_maximum: Optional[int] = None,
        topic_alias_maximum: Optional[int] = None,
        request_response_information: bool = False,
        request_problem_information: Optional[bool] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> None:
        options: Dict[str, Any] = dict(locals())
        del options["self"], options["url"]
        self._client = _mqttws.Client(url, **options)
        self._engine = _Engine(self._client)
        self._finalizer = weakref.finalize(self, self._engine.shutdown)

    # -------------------------------------------------------------- calls

    def _bind(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        engine = self._engine
        if engine.loop is None:
            engine.loop = loop
        elif engine.loop is not loop:
            raise RuntimeError("an AsyncClient is used from one event loop")
        return loop

    async def _call(self, run: Callable[[], Any], batchable: bool = False) -> Any:
        op = self._engine.submit(self._bind(), run, batchable)
        try:
            return await op.future
        except asyncio.CancelledError:
            self._engine.cancel(op)
            raise

    async def connect(self) -> bool:
        """Connects within ``connect_timeout``; returns whether the broker
        resumed a stored session."""

        def run() -> bool:
            present = self._client.connect()
            self._engine.start_reading()
            return present

        result: bool = await self._call(run)
        return result

    async def publish(
        self,
        topic: str,
        payload: _Payload = None,
        qos: int = 0,
        retain: bool = False,
        *,
        properties: Optional[PublishProperties] = None,
    ) -> None:
        """Publishes; returns once the broker acknowledged the message (QoS 1:
        PUBACK, QoS 2: PUBCOMP), or once it is written (QoS 0). Publishes
        are sent in the order they were made. Cancelled after the message
        was written, the message stays in flight (and is resent after a
        reconnect). MQTT 5: ``properties`` go with it; a refusal raises
        ``RejectedError``."""
        engine = self._engine
        loop = self._bind()
        ack: asyncio.Future[None] = loop.create_future()

        def run() -> object:
            handle = self._client.publish(topic, payload, qos, retain, properties=properties)
            if handle.packet_id is None:
                return None
            engine.expect_ack(handle, ack)
            return None

        await self._call(run, batchable=True)
        if qos == 0:
            return
        try:
            await ack
        except asyncio.CancelledError:
            ack.cancel()
            raise

    # A str is also a Sequence[str]; the first overload wins for it.
    @overload
    async def subscribe(  # type: ignore[overload-overlap]
        self,
        topic: str,
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> Optional[int]: ...
    @overload
    async def subscribe(
        self,
        topic: Sequence[Union[str, Tuple[str, int]]],
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> List[Optional[int]]: ...
    async def subscribe(
        self, topic: Union[str, Sequence[Union[str, Tuple[str, int]]]], qos: int = 0, **options: Any
    ) -> Any:
        """Subscribes and waits for SUBACK: ``subscribe("a/#", qos=1)``
        returns the granted QoS (None if refused), ``subscribe([("a/#", 1),
        "b"])`` a list of them. MQTT 5 options as for ``Client.subscribe()``.
        A subscribe cancelled after it was sent may still take effect at the
        broker."""
        return await self._call(lambda: self._client.subscribe(topic, qos, **options))

    async def subscribe_reply(
        self,
        topic: Union[str, Sequence[Union[str, Tuple[str, int]]]],
        qos: int = 0,
        *,
        no_local: bool = False,
        retain_as_published: bool = False,
        retain_handling: int = 0,
        subscription_identifier: Optional[int] = None,
        user_properties: Optional[_UserProperties] = None,
    ) -> SubscribeReply:
        """``subscribe()`` returning a ``SubscribeReply``: the granted QoS and
        the SUBACK reason code per filter (see ``Client.subscribe_reply()``)."""
        options: Dict[str, Any] = dict(locals())
        del options["self"], options["topic"], options["qos"]
        reply: SubscribeReply = await self._call(lambda: self._client.subscribe_reply(topic, qos, **options))
        return reply

    async def unsubscribe(
        self, topic: Union[str, Sequence[str]], *, user_properties: Optional[_UserProperties] = None
    ) -> List[int]:
        """Unsubscribes and waits for UNSUBACK; returns MQTT 5's reason code
        per filter (``[]`` under 3.1.1), as ``Client.unsubscribe()``."""
        codes: List[int] = await self._call(
            lambda: self._client.unsubscribe(topic, user_properties=user_properties)
        )
        return codes

    async def disconnect(self) -> None:
        """Sends DISCONNECT after the calls made before it, and closes the
        connection. ``recv()`` then raises ``ClosedError`` and ``messages()``
        ends; QoS 1/2 publishes still awaiting their acknowledgement raise
        ``ClosedError`` (the messages stay in the session)."""
        await self._call(lambda: self._engine.end(self._client.disconnect))

    async def close(self) -> None:
        """Disconnects if connected and ends the client's threads. The client
        cannot be used afterwards. Idempotent."""
        if not self._finalizer.alive:
            return
        # On the writer, after the calls made before.
        await self._call(self._finalizer)

    async def _next(self, messages_only: bool, timeout: Optional[float]) -> Optional[_Item]:
        loop = self._bind()
        engine = self._engine
        deadline = None if timeout is None else loop.time() + timeout
        while True:
            with engine.lock:
                item = engine.take(messages_only)
                if item is None:
                    waiter: asyncio.Future[None] = loop.create_future()
                    engine.waiters.append(waiter)
            if item is not None:
                return item
            left = None if deadline is None else deadline - loop.time()
            try:
                if left is not None and left <= 0:
                    return None
                await asyncio.wait([waiter], timeout=left)
            finally:
                with engine.lock:
                    if waiter in engine.waiters:
                        engine.waiters.remove(waiter)

    async def recv(self, timeout: Optional[float] = None) -> Optional[Message]:
        """The next message, waiting up to ``timeout`` seconds (None: until
        one arrives); None when the timeout passes. Skips other events."""
        item = await self._next(True, timeout)
        if isinstance(item, _End):
            raise ClosedError("disconnect() was called")
        if isinstance(item, _Failed):
            raise item.error
        assert item is None or isinstance(item, Message)
        return item

    async def poll(self, timeout: Optional[float] = None) -> Optional[_Event]:
        """The next message or event (``Connected``, ``Disconnected``,
        ``Reconnecting``, ``Dropped``, ``ServerDisconnected``...), as
        ``Client.poll()`` returns them, except ``Published`` and ``Rejected``
        (each ``publish()`` resolves, or raises ``RejectedError``, by
        itself)."""
        item = await self._next(False, timeout)
        if isinstance(item, _End):
            raise ClosedError("disconnect() was called")
        if isinstance(item, _Failed):
            raise item.error
        return item

    async def messages(self, timeout: Optional[float] = None) -> AsyncIterator[Message]:
        """``async for message in client.messages():`` until ``disconnect()``,
        or until ``timeout`` seconds pass without a message."""
        while True:
            item = await self._next(True, timeout)
            if item is None or isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            assert isinstance(item, Message)
            yield item

    # ---------------------------------------------------------- properties

    @property
    def is_connected(self) -> bool:
        """Whether the connection is open and accepted by the broker."""
        return self._client.is_connected

    @property
    def client_id(self) -> str:
        """The client id of the last connection attempt, or the one the
        broker assigned (see ``Client.client_id``)."""
        return self._client.client_id

    @property
    def protocol_version(self) -> int:
        """4 (MQTT 3.1.1) or 5 (MQTT 5.0)."""
        return self._client.protocol_version

    @property
    def connack_properties(self) -> Optional[ConnAckProperties]:
        """MQTT 5: the last CONNACK's properties (see ``Client.connack_properties``)."""
        return self._client.connack_properties

    async def __aenter__(self) -> AsyncClient:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc_value: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        return repr(self._client).replace("<mqttws.Client", "<mqttws.AsyncClient", 1)
