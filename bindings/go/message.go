package mqttws

// #include <mqttws.h>
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
	// Properties: its MQTT 5 properties; nil when it carries none (always
	// under MQTT 3.1.1).
	Properties *PublishProperties
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
	// EventRejected: MQTT 5, the broker refused an outgoing QoS 1/2
	// message (PacketID, ReasonCode, and the broker's Reason if it sent
	// one); the message is done. Reported once: a wait that returns the
	// refusal as an error matching ErrRejected takes the event.
	EventRejected
	// EventServerDisconnected: MQTT 5, the broker sent DISCONNECT
	// (ReasonCode, Reason, ServerReference: another server, not followed);
	// the connection ends right after.
	EventServerDisconnected
	// EventDowngraded: the broker answered a QoS 2 publish with PUBACK,
	// taking the message at QoS 1 (PacketID, QoS); it may be delivered
	// twice.
	EventDowngraded
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
	case EventRejected:
		return "rejected"
	case EventServerDisconnected:
		return "server disconnected"
	case EventDowngraded:
		return "downgraded"
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
	// (EventStoreDamaged): what was found; (EventRejected,
	// EventServerDisconnected): the broker's reason string, if any.
	Reason string
	// Topic and PacketID (EventDropped): the message dropped; PacketID is
	// 0 for QoS 0. PacketID (EventRejected, EventDowngraded): the message.
	Topic    string
	PacketID uint16
	// Attempt and Delay (EventReconnecting).
	Attempt int
	Delay   time.Duration
	// ReasonCode (EventRejected, EventServerDisconnected): the MQTT 5
	// reason code, e.g. 0x87 not authorized, 0x8B server shutting down.
	ReasonCode ReasonCode
	// ServerReference (EventServerDisconnected): another server the broker
	// named, if any.
	ServerReference string
	// QoS (EventDowngraded): the QoS the broker acknowledged.
	QoS QoS
}

// item is what one poll gave: a message, or an event for the event
// handler (nil for kinds the handler does not see).
type item struct {
	msg *Message
	ev  *Event
}

// takeEvent copies what the binding uses out of an event from
// mqttws_client_poll and frees it. PUBLISHED, SUBSCRIBED and UNSUBSCRIBED
// (answers nobody waits for) and kinds this version does not know give an
// empty item.
func takeEvent(ev *C.mqttws_event) item {
	if ev == nil {
		return item{}
	}
	defer C.mqttws_event_free(ev)
	switch C.mqttws_event_get_kind(ev) {
	case C.MQTTWS_EVENT_MESSAGE:
		m := C.mqttws_event_message(ev)
		return item{msg: &Message{
			Topic:      goString(m.topic),
			Payload:    goBytes(m.payload),
			QoS:        QoS(m.qos),
			Retain:     bool(m.retain),
			Dup:        bool(m.dup),
			Properties: goProperties(m.properties),
		}}
	case C.MQTTWS_EVENT_CONNECTED:
		return item{ev: &Event{Kind: EventConnected, SessionPresent: bool(C.mqttws_event_session_present(ev))}}
	case C.MQTTWS_EVENT_DISCONNECTED:
		return item{ev: &Event{Kind: EventDisconnected, Reason: goString(C.mqttws_event_text(ev))}}
	case C.MQTTWS_EVENT_RECONNECTING:
		return item{ev: &Event{
			Kind:    EventReconnecting,
			Attempt: int(C.mqttws_event_attempt(ev)),
			Delay:   time.Duration(C.mqttws_event_delay_ms(ev)) * time.Millisecond,
		}}
	case C.MQTTWS_EVENT_DROPPED:
		return item{ev: &Event{
			Kind:     EventDropped,
			Topic:    goString(C.mqttws_event_text(ev)),
			PacketID: uint16(C.mqttws_event_packet_id(ev)),
		}}
	case C.MQTTWS_EVENT_STORE_DAMAGED:
		return item{ev: &Event{Kind: EventStoreDamaged, Reason: goString(C.mqttws_event_text(ev))}}
	case C.MQTTWS_EVENT_REJECTED:
		return item{ev: &Event{
			Kind:       EventRejected,
			PacketID:   uint16(C.mqttws_event_packet_id(ev)),
			ReasonCode: ReasonCode(C.mqttws_event_reason_code(ev)),
			Reason:     goString(C.mqttws_event_text(ev)),
		}}
	case C.MQTTWS_EVENT_SERVER_DISCONNECTED:
		return item{ev: &Event{
			Kind:            EventServerDisconnected,
			ReasonCode:      ReasonCode(C.mqttws_event_reason_code(ev)),
			Reason:          goString(C.mqttws_event_text(ev)),
			ServerReference: goString(C.mqttws_event_server_reference(ev)),
		}}
	case C.MQTTWS_EVENT_DOWNGRADED:
		d := &Event{Kind: EventDowngraded, PacketID: uint16(C.mqttws_event_packet_id(ev)), QoS: AtLeastOnce}
		if g := goBytes(C.mqttws_event_granted_qos(ev)); len(g) == 1 {
			d.QoS = QoS(g[0])
		}
		return item{ev: d}
	}
	return item{}
}
