package mqttws

// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"context"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// ProtocolVersion is the MQTT version a client speaks (WithProtocolVersion):
// the protocol level of CONNECT.
type ProtocolVersion uint8

const (
	// MQTT311 is MQTT 3.1.1 (protocol level 4), the default.
	MQTT311 ProtocolVersion = C.MQTTWS_PROTOCOL_V311
	// MQTT5 is MQTT 5.0 (protocol level 5).
	MQTT5 ProtocolVersion = C.MQTTWS_PROTOCOL_V5
)

// WithProtocolVersion chooses the MQTT version: MQTT311 (4, the default) or
// MQTT5 (5); another value makes Dial fail with ErrInvalidArgument. Under
// 3.1.1 every MQTT 5-only argument (WithConnectProperties,
// WithWillProperties, PublishWith with properties, SubscribeWith with
// options other than QoS or with an identifier) fails with
// ErrInvalidArgument, and nothing is sent.
func WithProtocolVersion(v ProtocolVersion) Option {
	return func(cfg *config) {
		cfg.v5 = v == MQTT5
		cfg.add("WithProtocolVersion", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			return C.mqttws_options_builder_set_protocol_version(b, C.uint32_t(v)), nil
		})
	}
}

// UserProperty is an MQTT 5 user property: a name and a value. Lists of
// them keep their order, and a name may repeat.
type UserProperty struct {
	Name, Value string
}

// ReasonCode is an MQTT 5 reason code (SUBACK, UNSUBACK, PUBACK,
// CONNACK, DISCONNECT): below 0x80 a success (for SUBACK, the granted
// QoS), 0x80 and up a refusal.
type ReasonCode uint8

// String returns the code's meaning, e.g. "not authorized" for 0x87.
func (r ReasonCode) String() string {
	return C.GoString(C.mqttws_reason_code_str(C.uint8_t(r)))
}

// Failed reports whether the code is a refusal (0x80 and up).
func (r ReasonCode) Failed() bool { return r >= 0x80 }

// seconds converts d to whole seconds for a uint32 C parameter, rounding
// up so that a positive duration never becomes 0.
func seconds(what string, d time.Duration) (C.uint32_t, error) {
	if d < 0 {
		return 0, argError(what + ": negative")
	}
	s := (d + time.Second - 1) / time.Second
	if s > math.MaxUint32 {
		return 0, argError(what + ": above 4294967295 s")
	}
	return C.uint32_t(s), nil
}

// ConnectProperties are what an MQTT 5 CONNECT asks of the broker
// (WithConnectProperties). Zero values are not sent: the broker's
// defaults apply.
type ConnectProperties struct {
	// SessionExpiry: how long the broker keeps the session after the
	// connection closes, in whole seconds (0: not sent, which means 0, or
	// "never" with WithCleanSession(false); SessionNeverExpires: never).
	SessionExpiry time.Duration
	// ReceiveMaximum: how many QoS 1/2 messages the broker may have in
	// flight toward the client at once (0: not sent, 65,535).
	ReceiveMaximum uint16
	// MaximumPacketSize: the largest packet the client tells the broker it
	// accepts, in bytes (0: not sent; the limit of WithMaxPacketSize is
	// announced). It only informs the broker.
	MaximumPacketSize uint32
	// TopicAliasMaximum: how many topic aliases the broker may use toward
	// the client (0: none). The client resolves them; messages always
	// arrive with their topic.
	TopicAliasMaximum uint16
	// RequestResponseInformation asks for Connack.ResponseInformation.
	RequestResponseInformation bool
	// RequestProblemInformation, set to false, asks the broker not to send
	// reason strings and user properties except in PUBLISH, CONNACK and
	// DISCONNECT (nil: not sent; the broker may send them everywhere).
	RequestProblemInformation *bool
	// UserProperties of the CONNECT.
	UserProperties []UserProperty
}

// SessionNeverExpires is the ConnectProperties.SessionExpiry that asks the
// broker to keep the session for ever (0xFFFFFFFF seconds).
const SessionNeverExpires = time.Duration(math.MaxUint32) * time.Second

// WithConnectProperties sets the MQTT 5 CONNECT properties (needs
// WithProtocolVersion(MQTT5)). Values MQTT 5 forbids make Dial fail with
// ErrInvalidArgument.
func WithConnectProperties(p ConnectProperties) Option {
	return func(cfg *config) {
		cfg.add("WithConnectProperties", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			if p.SessionExpiry != 0 {
				s, err := seconds("WithConnectProperties: SessionExpiry", p.SessionExpiry)
				if err != nil {
					return 0, err
				}
				if r := C.mqttws_options_builder_set_session_expiry_interval(b, s); r != C.MQTTWS_OK {
					return r, nil
				}
			}
			r := C.mqttws_result(C.MQTTWS_OK)
			if r == C.MQTTWS_OK && p.ReceiveMaximum != 0 {
				r = C.mqttws_options_builder_set_receive_maximum(b, C.uint16_t(p.ReceiveMaximum))
			}
			if r == C.MQTTWS_OK && p.MaximumPacketSize != 0 {
				r = C.mqttws_options_builder_set_maximum_packet_size(b, C.uint32_t(p.MaximumPacketSize))
			}
			if r == C.MQTTWS_OK && p.TopicAliasMaximum != 0 {
				r = C.mqttws_options_builder_set_topic_alias_maximum(b, C.uint16_t(p.TopicAliasMaximum))
			}
			if r == C.MQTTWS_OK && p.RequestResponseInformation {
				r = C.mqttws_options_builder_set_request_response_information(b, true)
			}
			if r == C.MQTTWS_OK && p.RequestProblemInformation != nil {
				r = C.mqttws_options_builder_set_request_problem_information(b, C.bool(*p.RequestProblemInformation))
			}
			if r != C.MQTTWS_OK {
				return r, nil
			}
			return addUserProperties(p.UserProperties, func(name, value *C.char) C.mqttws_result {
				return C.mqttws_options_builder_add_connect_user_property(b, name, value)
			})
		})
	}
}

// WithWillProperties gives the will of WithWill MQTT 5 properties, and a
// delay: the broker waits that long after the connection is lost before
// it publishes the will (0: at once; whole seconds). Needs WithWill and
// WithProtocolVersion(MQTT5): without a will Dial fails with
// ErrInvalidArgument, and so does Dial under 3.1.1.
func WithWillProperties(p PublishProperties, delay time.Duration) Option {
	return func(cfg *config) {
		cfg.add("WithWillProperties", func(b *C.mqttws_options_builder) (C.mqttws_result, error) {
			d, err := seconds("WithWillProperties: delay", delay)
			if err != nil {
				return 0, err
			}
			cp, err := p.toC()
			if err != nil {
				return 0, err
			}
			defer C.mqttws_publish_properties_free(cp)
			if r := C.mqttws_options_builder_set_will_properties(b, cp); r != C.MQTTWS_OK {
				return r, nil
			}
			if delay == 0 {
				return C.MQTTWS_OK, nil
			}
			return C.mqttws_options_builder_set_will_delay_interval(b, d), nil
		})
	}
}

// PublishProperties are the MQTT 5 properties of a message: given to
// PublishWith and WithWillProperties, and found in Message.Properties.
// Zero values are not sent.
type PublishProperties struct {
	// PayloadFormatUTF8: the payload is UTF-8 text (a payload that is not
	// is refused with ErrInvalidArgument). False: not sent (unspecified
	// bytes).
	PayloadFormatUTF8 bool
	// MessageExpiry: the broker discards the message if it has not
	// delivered it within this time (whole seconds, rounded up; 0: never).
	// In a received message, what is left of it.
	MessageExpiry time.Duration
	// ContentType, e.g. "application/json" ("": not sent).
	ContentType string
	// ResponseTopic: where a responder should publish its answer ("": not
	// sent).
	ResponseTopic string
	// CorrelationData ties a response to its request (nil: not sent; an
	// empty, non-nil slice is sent empty).
	CorrelationData []byte
	// UserProperties, in order; names may repeat.
	UserProperties []UserProperty
	// SubscriptionIdentifiers (received messages only): the identifiers of
	// the subscriptions the message matched (see SubscribeWith). Ignored
	// when publishing.
	SubscriptionIdentifiers []uint32
}

// toC builds a C copy of p; free it with mqttws_publish_properties_free.
// A nil p gives NULL (no properties).
func (p *PublishProperties) toC() (*C.mqttws_publish_properties, error) {
	if p == nil {
		return nil, nil
	}
	var cp *C.mqttws_publish_properties
	if r := C.mqttws_publish_properties_new(&cp); r != C.MQTTWS_OK {
		return nil, codeError("PublishProperties", r)
	}
	if err := p.fill(cp); err != nil {
		C.mqttws_publish_properties_free(cp)
		return nil, err
	}
	return cp, nil
}

func (p *PublishProperties) fill(cp *C.mqttws_publish_properties) error {
	check := func(what string, r C.mqttws_result) error {
		if r != C.MQTTWS_OK {
			return codeError("PublishProperties: "+what, r)
		}
		return nil
	}
	if p.PayloadFormatUTF8 {
		C.mqttws_publish_properties_set_payload_format_utf8(cp, true)
	}
	if p.MessageExpiry != 0 {
		s, err := seconds("PublishProperties: MessageExpiry", p.MessageExpiry)
		if err != nil {
			return err
		}
		C.mqttws_publish_properties_set_message_expiry_interval(cp, s)
	}
	if p.ContentType != "" {
		r, err := withCStrings([]string{"PublishProperties: ContentType"}, []string{p.ContentType},
			func(cs []*C.char) C.mqttws_result { return C.mqttws_publish_properties_set_content_type(cp, cs[0]) })
		if err != nil {
			return err
		}
		if err := check("ContentType", r); err != nil {
			return err
		}
	}
	if p.ResponseTopic != "" {
		r := C.mqttws_publish_properties_set_response_topic(cp, textPtr(p.ResponseTopic), C.size_t(len(p.ResponseTopic)))
		if err := check("ResponseTopic", r); err != nil {
			return err
		}
	}
	if p.CorrelationData != nil {
		C.mqttws_publish_properties_set_correlation_data(cp, bytesPtr(p.CorrelationData), C.size_t(len(p.CorrelationData)))
		runtime.KeepAlive(p.CorrelationData)
	}
	r, err := addUserProperties(p.UserProperties, func(name, value *C.char) C.mqttws_result {
		return C.mqttws_publish_properties_add_user_property(cp, name, value)
	})
	if err != nil {
		return err
	}
	return check("UserProperties", r)
}

// addUserProperties passes each user property to add as C strings, up to
// the first failure.
func addUserProperties(list []UserProperty, add func(name, value *C.char) C.mqttws_result) (C.mqttws_result, error) {
	for _, u := range list {
		r, err := withCStrings([]string{"user property name", "user property value"}, []string{u.Name, u.Value},
			func(cs []*C.char) C.mqttws_result { return add(cs[0], cs[1]) })
		if err != nil || r != C.MQTTWS_OK {
			return r, err
		}
	}
	return C.MQTTWS_OK, nil
}

// userProperties copies count user properties read by at.
func userProperties(count C.size_t, at func(i C.size_t, name, value *C.mqttws_str) C.mqttws_result) []UserProperty {
	if count == 0 {
		return nil
	}
	out := make([]UserProperty, 0, int(count))
	for i := C.size_t(0); i < count; i++ {
		var name, value C.mqttws_str
		if at(i, &name, &value) == C.MQTTWS_OK {
			out = append(out, UserProperty{goString(name), goString(value)})
		}
	}
	return out
}

// goProperties copies the properties of a received message (borrowed from
// its event); nil for none.
func goProperties(cp *C.mqttws_publish_properties) *PublishProperties {
	if cp == nil {
		return nil
	}
	p := &PublishProperties{
		ContentType:   goString(C.mqttws_publish_properties_content_type(cp)),
		ResponseTopic: goString(C.mqttws_publish_properties_response_topic(cp)),
	}
	var utf8 C.bool
	if C.mqttws_publish_properties_payload_format_utf8(cp, &utf8) {
		p.PayloadFormatUTF8 = bool(utf8)
	}
	var expiry C.uint32_t
	if C.mqttws_publish_properties_message_expiry_interval(cp, &expiry) {
		p.MessageExpiry = time.Duration(expiry) * time.Second
	}
	var data C.mqttws_bytes
	if C.mqttws_publish_properties_correlation_data(cp, &data) {
		p.CorrelationData = goBytes(data)
	}
	p.UserProperties = userProperties(C.mqttws_publish_properties_user_property_count(cp),
		func(i C.size_t, name, value *C.mqttws_str) C.mqttws_result {
			return C.mqttws_publish_properties_user_property(cp, i, name, value)
		})
	for i, n := C.size_t(0), C.mqttws_publish_properties_subscription_identifier_count(cp); i < n; i++ {
		p.SubscriptionIdentifiers = append(p.SubscriptionIdentifiers,
			uint32(C.mqttws_publish_properties_subscription_identifier(cp, i)))
	}
	return p
}

// PublishWith is Publish with MQTT 5 properties (nil: none, the same as
// Publish). At QoS 1 and 2 it waits for the acknowledgement; a message the
// broker refuses (PUBACK or PUBREC reason code 0x80 and up) is an error
// matching ErrRejected, with the reason code in Error.ConnackCode and the
// broker's reason string, if any, in Error.Reason. Properties under
// MQTT 3.1.1 are ErrInvalidArgument, and nothing is sent. payload and
// props are copied.
func (c *Client) PublishWith(ctx context.Context, topic string, payload []byte, qos QoS, retain bool,
	props *PublishProperties) error {
	id, err := c.publish(ctx, "PublishWith", topic, payload, qos, retain, props)
	if err != nil || id == 0 {
		return err
	}
	return c.waitAck(ctx, "PublishWith", id)
}

// RetainHandling says what the broker does with retained messages when a
// subscription is made (SubscribeFilter.RetainHandling).
type RetainHandling uint8

const (
	// SendRetainedAlways sends the retained messages at every subscribe
	// (the default, and 3.1.1's behaviour).
	SendRetainedAlways RetainHandling = C.MQTTWS_RETAIN_HANDLING_SEND_ALWAYS
	// SendRetainedIfNew sends them only if the subscription did not exist.
	SendRetainedIfNew RetainHandling = C.MQTTWS_RETAIN_HANDLING_SEND_IF_NEW
	// DoNotSendRetained never sends them at subscribe time.
	DoNotSendRetained RetainHandling = C.MQTTWS_RETAIN_HANDLING_DO_NOT_SEND
)

// SubscribeFilter is one topic filter of SubscribeWith with its MQTT 5
// subscription options. Under MQTT 3.1.1 only Filter and QoS may be set.
type SubscribeFilter struct {
	// Filter is the topic filter (wildcards + and # allowed).
	Filter string
	// QoS is the highest QoS wanted.
	QoS QoS
	// NoLocal: do not receive the messages this client publishes itself.
	NoLocal bool
	// RetainAsPublished: keep the retain flag of messages as published
	// (instead of clearing it on live messages).
	RetainAsPublished bool
	// RetainHandling: what to do with retained messages at subscribe time.
	RetainHandling RetainHandling
}

// SubscribeReply is what SUBACK answered, one entry per filter.
type SubscribeReply struct {
	// Granted is the QoS granted per filter, Refused where the broker
	// refused it.
	Granted []QoS
	// ReasonCodes is the SUBACK code per filter: the granted QoS, or a
	// refusal of 0x80 and up (0x87 not authorized, 0x8F filter invalid,
	// 0xA1 subscription identifiers not supported...).
	ReasonCodes []ReasonCode
}

// SubscribeWith subscribes to several filters with their MQTT 5 options in
// one SUBSCRIBE and waits for SUBACK (at most the operation timeout).
// subscriptionID, 1 to 268,435,455 (0: none), tags the messages these
// subscriptions deliver (PublishProperties.SubscriptionIdentifiers).
// Refusals do not make it fail: see the reply. Under MQTT 3.1.1 an option
// other than QoS, or an identifier, is ErrInvalidArgument, and nothing is
// sent.
func (c *Client) SubscribeWith(ctx context.Context, filters []SubscribeFilter, subscriptionID uint32) (*SubscribeReply, error) {
	n := len(filters)
	if n == 0 {
		return nil, argError("SubscribeWith: no filters")
	}
	var m cMem
	defer m.free()
	arr := (*C.mqttws_subscribe_filter)(m.alloc(n, unsafe.Sizeof(C.mqttws_subscribe_filter{})))
	view := unsafe.Slice(arr, n)
	for i, f := range filters {
		view[i] = C.mqttws_subscribe_filter{
			filter:              m.text(f.Filter),
			qos:                 C.uint8_t(f.QoS),
			no_local:            C.bool(f.NoLocal),
			retain_as_published: C.bool(f.RetainAsPublished),
			retain_handling:     C.uint8_t(f.RetainHandling),
		}
	}
	granted := make([]byte, n)
	codes := make([]byte, n)
	_, err := c.call(ctx, "SubscribeWith", func(p *C.mqttws_client) C.mqttws_result {
		return C.mqttws_client_subscribe_with(p, arr, C.size_t(n), C.uint32_t(subscriptionID),
			(*C.uint8_t)(unsafe.Pointer(&granted[0])), (*C.uint8_t)(unsafe.Pointer(&codes[0])))
	})
	if err != nil {
		return nil, err
	}
	reply := &SubscribeReply{Granted: make([]QoS, n), ReasonCodes: make([]ReasonCode, n)}
	for i := range granted {
		reply.Granted[i] = QoS(granted[i])
		reply.ReasonCodes[i] = ReasonCode(codes[i])
	}
	return reply, nil
}

// UnsubscribeWith is Unsubscribe, returning the UNSUBACK reason code per
// filter: 0x00 success, 0x11 no subscription existed, 0x87 not
// authorized... Under MQTT 3.1.1, whose UNSUBACK has no codes, it returns
// nil.
func (c *Client) UnsubscribeWith(ctx context.Context, filters ...string) ([]ReasonCode, error) {
	codes, err := c.unsubscribe(ctx, "UnsubscribeWith", filters)
	if err != nil || !c.v5 {
		return nil, err
	}
	out := make([]ReasonCode, len(codes))
	for i, b := range codes {
		out[i] = ReasonCode(b)
	}
	return out, nil
}

// Connack is what the broker answered in CONNACK (Client.Connack): whether
// it resumed a session and, under MQTT 5, its properties. A nil pointer or
// an empty string is a property the broker did not send (the MQTT 5
// default then applies, given in each field's comment); under MQTT 3.1.1
// every property is absent.
type Connack struct {
	// SessionPresent: the broker resumed a stored session.
	SessionPresent bool
	// AssignedClientID: the client id the broker assigned to an empty one.
	AssignedClientID string
	// SessionExpiry: the session expiry the broker chose, when it differs
	// from the one asked for.
	SessionExpiry *time.Duration
	// ReceiveMaximum: how many QoS 1/2 messages the broker accepts in
	// flight from the client (nil: 65,535); the client obeys it.
	ReceiveMaximum *uint16
	// MaximumQoS: the highest QoS the broker supports (nil: 2).
	MaximumQoS *QoS
	// RetainAvailable: whether retained messages are supported (nil: yes).
	RetainAvailable *bool
	// MaximumPacketSize: the largest packet the broker accepts, in bytes
	// (nil: no limit); the client refuses to send larger ones.
	MaximumPacketSize *uint32
	// TopicAliasMaximum: how many topic aliases the client may use toward
	// the broker (nil: none); the client uses them by itself.
	TopicAliasMaximum *uint16
	// ServerKeepAlive: the keepalive the broker imposes (the client uses
	// it instead of its own).
	ServerKeepAlive *time.Duration
	// WildcardSubscriptionAvailable, SubscriptionIdentifiersAvailable,
	// SharedSubscriptionAvailable: what the broker supports (nil: yes).
	WildcardSubscriptionAvailable    *bool
	SubscriptionIdentifiersAvailable *bool
	SharedSubscriptionAvailable      *bool
	// ReasonString: a human-readable reason.
	ReasonString string
	// ResponseInformation: sent when asked for
	// (ConnectProperties.RequestResponseInformation).
	ResponseInformation string
	// ServerReference: another server the broker suggests (not followed).
	ServerReference string
	// UserProperties of the CONNACK.
	UserProperties []UserProperty
}

// Connack returns what the broker answered in CONNACK on the latest
// connection: the one Dial or Reconnect made, or one the automatic
// reconnect made (reported to WithEventHandler as EventConnected). After
// Disconnect it still returns the last one. An error matching ErrClosed
// after Close.
func (c *Client) Connack() (*Connack, error) {
	var info *Connack
	_, err := c.call(context.Background(), "Connack", func(p *C.mqttws_client) C.mqttws_result {
		var ack *C.mqttws_connack
		r := C.mqttws_client_connack(p, &ack)
		if r == C.MQTTWS_OK {
			info = goConnack(ack)
			C.mqttws_connack_free(ack)
		}
		return r
	})
	return info, err
}

// optNum reads an optional number through a C accessor that returns
// whether it is present; nil when absent.
func optNum[CT ~uint8 | ~uint16 | ~uint32, T ~uint8 | ~uint16 | ~uint32](get func(*CT) C.bool) *T {
	var v CT
	if !get(&v) {
		return nil
	}
	x := T(v)
	return &x
}

// optBool is optNum for a flag.
func optBool(get func(*C.bool) C.bool) *bool {
	var v C.bool
	if !get(&v) {
		return nil
	}
	x := bool(v)
	return &x
}

// optSeconds is optNum for a number of seconds.
func optSeconds[CT ~uint16 | ~uint32](get func(*CT) C.bool) *time.Duration {
	s := optNum[CT, uint32](get)
	if s == nil {
		return nil
	}
	d := time.Duration(*s) * time.Second
	return &d
}

func goConnack(a *C.mqttws_connack) *Connack {
	return &Connack{
		SessionPresent:   bool(C.mqttws_connack_session_present(a)),
		AssignedClientID: goString(C.mqttws_connack_assigned_client_identifier(a)),
		SessionExpiry: optSeconds(func(v *C.uint32_t) C.bool {
			return C.mqttws_connack_session_expiry_interval(a, v)
		}),
		ReceiveMaximum: optNum[C.uint16_t, uint16](func(v *C.uint16_t) C.bool {
			return C.mqttws_connack_receive_maximum(a, v)
		}),
		MaximumQoS:      optNum[C.uint8_t, QoS](func(v *C.uint8_t) C.bool { return C.mqttws_connack_maximum_qos(a, v) }),
		RetainAvailable: optBool(func(v *C.bool) C.bool { return C.mqttws_connack_retain_available(a, v) }),
		MaximumPacketSize: optNum[C.uint32_t, uint32](func(v *C.uint32_t) C.bool {
			return C.mqttws_connack_maximum_packet_size(a, v)
		}),
		TopicAliasMaximum: optNum[C.uint16_t, uint16](func(v *C.uint16_t) C.bool {
			return C.mqttws_connack_topic_alias_maximum(a, v)
		}),
		ServerKeepAlive: optSeconds(func(v *C.uint16_t) C.bool { return C.mqttws_connack_server_keep_alive(a, v) }),
		WildcardSubscriptionAvailable: optBool(func(v *C.bool) C.bool {
			return C.mqttws_connack_wildcard_subscription_available(a, v)
		}),
		SubscriptionIdentifiersAvailable: optBool(func(v *C.bool) C.bool {
			return C.mqttws_connack_subscription_identifiers_available(a, v)
		}),
		SharedSubscriptionAvailable: optBool(func(v *C.bool) C.bool {
			return C.mqttws_connack_shared_subscription_available(a, v)
		}),
		ReasonString:        goString(C.mqttws_connack_reason_string(a)),
		ResponseInformation: goString(C.mqttws_connack_response_information(a)),
		ServerReference:     goString(C.mqttws_connack_server_reference(a)),
		UserProperties: userProperties(C.mqttws_connack_user_property_count(a),
			func(i C.size_t, name, value *C.mqttws_str) C.mqttws_result {
				return C.mqttws_connack_user_property(a, i, name, value)
			}),
	}
}
