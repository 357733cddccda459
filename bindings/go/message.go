package mqttws

// #include "mqttws.h"
import "C"

import (
	"fmt"
	"time"
)

// QoS is an MQTT quality of service level.
type QoS uint8

const (
	// AtMostOnce (QoS 0): fire and forget.
	AtMostOnce QoS = 0
	// AtLeastOnce (QoS 1): acknowledged by PUBACK; may be duplicated.
	AtLeastOnce QoS = 1
	// ExactlyOnce (QoS 2): the four-packet handshake.
	ExactlyOnce QoS = 2
	// Refused is the "QoS" a broker grants to a filter it refuses
	// (SUBACK return code 0x80), as reported by SubscribeMany.
	Refused QoS = 0x80
)

// String returns "QoS 0", "QoS 1", "QoS 2" or "refused".
func (q QoS) String() string {
	if q == Refused {
		return "refused"
	}
	return fmt.Sprintf("QoS %d", uint8(q))
}

// Message is a received message. It is a copy: it stays valid after later
// calls, and the caller may keep or modify it.
type Message struct {
	Topic   string
	Payload []byte
	// QoS is the level the message was delivered with.
	QoS QoS
	// Retain: the broker sent it as a retained message.
	Retain bool
	// Dup: the broker marked it as a possible duplicate.
	Dup bool
}

// Subscription is one topic filter of SubscribeMany.
type Subscription struct {
	// Filter is the topic filter (wildcards + and # allowed).
	Filter string
	// QoS is the highest QoS wanted.
	QoS QoS
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventConnected: the automatic reconnect connected again
	// (SessionPresent). Dial and Reconnect report their own outcome instead.
	EventConnected EventKind = iota + 1
	// EventDisconnected: the connection ended and the automatic reconnect
	// takes over (Reason).
	EventDisconnected
	// EventReconnecting: the automatic reconnect tries again after Delay
	// (Attempt is 1 for the first try after a drop).
	EventReconnecting
	// EventDropped: the full offline queue dropped a message, which will
	// never be sent (Topic, and PacketID for QoS 1/2).
	EventDropped
	// EventStoreDamaged: the durable store (WithStoreDir) found damaged
	// bytes in its log when the client was created; every valid record
	// was recovered, the damaged log was kept aside, and what the damaged
	// bytes held is lost (Reason says what was found and where the log is).
	EventStoreDamaged
)

// String returns the kind's name, e.g. "connected".
func (k EventKind) String() string {
	switch k {
	case EventConnected:
		return "connected"
	case EventDisconnected:
		return "disconnected"
	case EventReconnecting:
		return "reconnecting"
	case EventDropped:
		return "dropped"
	case EventStoreDamaged:
		return "store damaged"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is a change of the connection's state, seen by Recv and handed to
// the function given with WithEventHandler.
type Event struct {
	Kind EventKind
	// SessionPresent (EventConnected): the broker resumed a stored session.
	SessionPresent bool
	// Reason (EventDisconnected): why the connection ended;
	// (EventStoreDamaged): what was found.
	Reason string
	// Topic and PacketID (EventDropped): the message dropped; PacketID is
	// 0 for QoS 0.
	Topic    string
	PacketID uint16
	// Attempt and Delay (EventReconnecting).
	Attempt int
	Delay   time.Duration
}

// item is one thing taken from C's event queue: a message, an event for the
// event handler, or an error for Recv to return.
type item struct {
	msg *Message
	ev  *Event
	err error
	// acked is the packet id of a PUBLISHED event (an outgoing QoS 1/2
	// message acknowledged), else 0.
	acked uint16
}

// copyEvent copies what the binding uses out of a borrowed mqttws_event.
// It must run before the next C call on the client, which invalidates the
// views. SUBSCRIBED and UNSUBSCRIBED (answers nobody waits for) and kinds
// this version does not know give an empty item.
func copyEvent(ev *C.mqttws_event) item {
	switch ev.kind {
	case C.MQTTWS_EVENT_MESSAGE:
		m := &ev.message
		return item{msg: &Message{
			Topic:   goString(m.topic),
			Payload: goBytes(m.payload),
			QoS:     QoS(m.qos),
			Retain:  bool(m.retain),
			Dup:     bool(m.dup),
		}}
	case C.MQTTWS_EVENT_CONNECTED:
		return item{ev: &Event{Kind: EventConnected, SessionPresent: bool(ev.session_present)}}
	case C.MQTTWS_EVENT_DISCONNECTED:
		return item{ev: &Event{Kind: EventDisconnected, Reason: goString(ev.text)}}
	case C.MQTTWS_EVENT_RECONNECTING:
		return item{ev: &Event{
			Kind:    EventReconnecting,
			Attempt: int(ev.attempt),
			Delay:   time.Duration(ev.delay_ms) * time.Millisecond,
		}}
	case C.MQTTWS_EVENT_PUBLISHED:
		return item{acked: uint16(ev.packet_id)}
	case C.MQTTWS_EVENT_DROPPED:
		return item{ev: &Event{Kind: EventDropped, Topic: goString(ev.text), PacketID: uint16(ev.packet_id)}}
	case C.MQTTWS_EVENT_STORE_DAMAGED:
		return item{ev: &Event{Kind: EventStoreDamaged, Reason: goString(ev.text)}}
	}
	return item{}
}
