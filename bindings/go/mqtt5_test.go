package mqttws

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// dial5 connects with MQTT 5 or fails the test.
func dial5(t *testing.T, url string, opts ...Option) *Client {
	t.Helper()
	return dial(t, url, append([]Option{WithProtocolVersion(MQTT5)}, opts...)...)
}

// allProperties sets every publish property, with a repeated user property
// name.
func allProperties(responseTopic string) *PublishProperties {
	return &PublishProperties{
		PayloadFormatUTF8: true,
		MessageExpiry:     5 * time.Minute,
		ContentType:       "application/json",
		ResponseTopic:     responseTopic,
		CorrelationData:   []byte("req\x00-1"),
		UserProperties:    []UserProperty{{"unit", "C"}, {"sensor", "17"}, {"unit", "K"}},
	}
}

func TestMQTT5PropertiesRoundTrip(t *testing.T) {
	for _, tr := range []struct {
		name string
		url  string
		opts []Option
	}{
		{"ws", broker.WSURL, nil},
		{"wss", broker.WSSURL, wssOpts()},
	} {
		tr := tr
		t.Run(tr.name, func(t *testing.T) {
			sub := dial5(t, tr.url, tr.opts...)
			pub := dial5(t, tr.url, tr.opts...)
			tp := topic(t)
			sent := allProperties(tp + "/reply")
			subscribe(t, sub, tp, ExactlyOnce)
			for _, qos := range []QoS{AtMostOnce, AtLeastOnce, ExactlyOnce} {
				if err := pub.PublishWith(testCtx(t), tp, []byte(`{"t":21}`), qos, false, sent); err != nil {
					t.Fatalf("PublishWith at %v: %v", qos, err)
				}
				m := recv(t, sub)
				if m.Topic != tp || m.QoS != qos || m.Properties == nil {
					t.Fatalf("got %+v", m)
				}
				got := *m.Properties
				// The broker counts the expiry down: present, and not more.
				if got.MessageExpiry <= 0 || got.MessageExpiry > sent.MessageExpiry {
					t.Errorf("MessageExpiry %v", got.MessageExpiry)
				}
				got.MessageExpiry = sent.MessageExpiry
				if !reflect.DeepEqual(&got, sent) {
					t.Errorf("at %v: got %+v, want %+v", qos, got, *sent)
				}
			}
			// Without properties, a message has none.
			if err := pub.PublishWith(testCtx(t), tp, nil, AtLeastOnce, false, nil); err != nil {
				t.Fatal(err)
			}
			if m := recv(t, sub); m.Properties != nil {
				t.Errorf("properties of a message sent without: %+v", m.Properties)
			}
		})
	}
}

func TestMQTT5SubscribeOptionsAndReasonCodes(t *testing.T) {
	c := dial5(t, broker.WSURL)
	other := dial5(t, broker.WSURL)
	tp, retained := topic(t), topic(t)
	ctx := testCtx(t)
	if err := other.Publish(ctx, retained, []byte("kept"), AtLeastOnce, true); err != nil {
		t.Fatal(err)
	}
	defer other.Publish(testCtx(t), retained, nil, AtLeastOnce, true)
	reply, err := c.SubscribeWith(ctx, []SubscribeFilter{
		{Filter: tp, QoS: AtLeastOnce, NoLocal: true},
		{Filter: retained, QoS: ExactlyOnce, RetainHandling: DoNotSendRetained},
	}, 77)
	if err != nil {
		t.Fatal(err)
	}
	want := &SubscribeReply{Granted: []QoS{AtLeastOnce, ExactlyOnce}, ReasonCodes: []ReasonCode{1, 2}}
	if !reflect.DeepEqual(reply, want) {
		t.Fatalf("SUBACK: %+v", reply)
	}
	// Our own message is not echoed (no local), the retained message is not
	// sent: the first message is the other client's, tagged 77.
	if err := c.Publish(ctx, tp, []byte("mine"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	if err := other.Publish(ctx, tp, []byte("theirs"), AtLeastOnce, false); err != nil {
		t.Fatal(err)
	}
	m := recv(t, c)
	if string(m.Payload) != "theirs" || m.Properties == nil ||
		!reflect.DeepEqual(m.Properties.SubscriptionIdentifiers, []uint32{77}) {
		t.Fatalf("got %q with %+v", m.Payload, m.Properties)
	}
	codes, err := c.UnsubscribeWith(ctx, tp, "never/subscribed")
	if err != nil || !reflect.DeepEqual(codes, []ReasonCode{0x00, 0x11}) {
		t.Fatalf("UNSUBACK: %v %v", codes, err)
	}
	if codes[1].String() != "no subscription existed" || codes[1].Failed() {
		t.Errorf("0x11: %q", codes[1])
	}
}

func TestMQTT5RefusedPublish(t *testing.T) {
	events := make(chan Event, 16)
	c := dial5(t, broker.WSSURL, WithCAFile(broker.CAPEMPath), WithEventHandler(func(e Event) {
		if e.Kind == EventRejected {
			events <- e
		}
	}))
	// mosquitto refuses client writes to $SYS: under MQTT 5 it says so in
	// PUBACK (0x87 not authorized) instead of dropping the message.
	err := c.PublishWith(testCtx(t), "$SYS/mqttws-go", []byte("x"), AtLeastOnce, false,
		&PublishProperties{ContentType: "text/plain"})
	var e *Error
	if !errors.Is(err, ErrRejected) || !errors.As(err, &e) || e.ConnackCode != 0x87 {
		t.Fatalf("PublishWith to $SYS: %v", err)
	}
	if errors.Is(err, ErrRefused) || errors.Is(err, ErrClosed) {
		t.Errorf("%v matches unrelated kinds", err)
	}
	if ReasonCode(e.ConnackCode).String() != "not authorized" {
		t.Errorf("reason code name %q", ReasonCode(e.ConnackCode))
	}
	// Plain Publish at QoS 2: refused in PUBREC.
	if err := c.Publish(testCtx(t), "$SYS/mqttws-go", []byte("x"), ExactlyOnce, false); !errors.Is(err, ErrRejected) {
		t.Fatalf("Publish at QoS 2 to $SYS: %v", err)
	}
	if !c.IsConnected() || c.Inflight() != 0 {
		t.Fatalf("after the refusals: connected %v, inflight %d", c.IsConnected(), c.Inflight())
	}
	// A refusal nobody waits for reaches the event handler from Recv (the
	// waits above took theirs: each refusal is reported once).
	id, err := c.PublishAsync(testCtx(t), "$SYS/mqttws-go", []byte("y"), AtLeastOnce, false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	go c.Recv(ctx)
	select {
	case ev := <-events:
		if ev.ReasonCode != 0x87 || ev.PacketID != id || ev.Kind.String() != "rejected" {
			t.Errorf("event %+v, want packet id %d", ev, id)
		}
	case <-time.After(testTimeout):
		t.Fatal("no EventRejected")
	}
}

func TestMQTT5Connack(t *testing.T) {
	problems := true
	c := dial5(t, broker.WSURL, WithClientID(""), WithConnectProperties(ConnectProperties{
		SessionExpiry:              time.Minute,
		ReceiveMaximum:             10,
		MaximumPacketSize:          1 << 20,
		TopicAliasMaximum:          5,
		RequestResponseInformation: true,
		RequestProblemInformation:  &problems,
		UserProperties:             []UserProperty{{"site", "lab"}, {"site", "bench"}},
	}))
	info, err := c.Connack()
	if err != nil {
		t.Fatal(err)
	}
	if info.AssignedClientID == "" || info.SessionPresent {
		t.Errorf("CONNACK %+v", info)
	}
	// mosquitto 2.0 announces its topic alias maximum (10) and supports QoS 2.
	if info.TopicAliasMaximum == nil || *info.TopicAliasMaximum == 0 || info.MaximumQoS != nil {
		t.Errorf("CONNACK %+v", info)
	}
	// The client works with the assigned id, and the CONNACK stays after
	// Disconnect.
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	if err := c.Disconnect(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	if again, err := c.Connack(); err != nil || again.AssignedClientID != info.AssignedClientID {
		t.Errorf("after Disconnect: %+v %v", again, err)
	}

	// 3.1.1: the session flag only.
	info, err = dial(t, broker.WSURL).Connack()
	if err != nil || !reflect.DeepEqual(info, &Connack{}) {
		t.Errorf("3.1.1 CONNACK %+v %v", info, err)
	}
}

func TestMQTT5WillProperties(t *testing.T) {
	watcher := dial5(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, watcher, tp, AtLeastOnce)
	c, err := Dial(testCtx(t), broker.WSURL, WithProtocolVersion(MQTT5),
		WithWill(tp, []byte("bye"), AtLeastOnce, false),
		WithWillProperties(PublishProperties{ContentType: "text/plain", UserProperties: []UserProperty{{"why", "gone"}}}, 0))
	if err != nil {
		t.Fatal(err)
	}
	c.free() // no DISCONNECT: the broker publishes the will
	m := recv(t, watcher)
	want := &PublishProperties{ContentType: "text/plain", UserProperties: []UserProperty{{"why", "gone"}}}
	if string(m.Payload) != "bye" || !reflect.DeepEqual(m.Properties, want) {
		t.Fatalf("will %q with %+v", m.Payload, m.Properties)
	}
}

// A 3.1.1 client refuses MQTT 5 arguments with ErrInvalidArgument and
// sends nothing: the first message after the refusals is a marker.
func TestMQTT5ArgumentsRefusedUnder311(t *testing.T) {
	c := dial(t, broker.WSURL)
	tp := topic(t)
	subscribe(t, c, tp, AtLeastOnce)
	ctx := testCtx(t)
	refused := map[string]error{
		"PublishWith": c.PublishWith(ctx, tp, []byte("v5"), AtLeastOnce, false, allProperties("r")),
		"SubscribeWith NoLocal": func() error {
			_, err := c.SubscribeWith(ctx, []SubscribeFilter{{Filter: tp, QoS: AtLeastOnce, NoLocal: true}}, 0)
			return err
		}(),
		"SubscribeWith identifier": func() error {
			_, err := c.SubscribeWith(ctx, []SubscribeFilter{{Filter: tp, QoS: AtLeastOnce}}, 9)
			return err
		}(),
	}
	for name, err := range refused {
		var e *Error
		if !errors.Is(err, ErrInvalidArgument) || !errors.As(err, &e) || e.Code != CodeInvalidArgument {
			t.Errorf("%s under 3.1.1: %v", name, err)
		}
	}
	if err := c.PublishWith(ctx, tp, []byte("marker"), AtLeastOnce, false, nil); err != nil {
		t.Fatal(err)
	}
	if m := recv(t, c); string(m.Payload) != "marker" {
		t.Fatalf("first message %q: a refused publish was sent", m.Payload)
	}
	if codes, err := c.UnsubscribeWith(ctx, tp); err != nil || codes != nil {
		t.Errorf("UnsubscribeWith under 3.1.1: %v %v", codes, err)
	}
	for name, opts := range map[string][]Option{
		"connect properties": {WithConnectProperties(ConnectProperties{SessionExpiry: time.Minute})},
		"will properties": {WithWill("w", nil, AtMostOnce, false),
			WithWillProperties(PublishProperties{ContentType: "x"}, 0)},
	} {
		if _, err := Dial(ctx, broker.WSURL, opts...); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Dial with %s under 3.1.1: %v", name, err)
		}
	}
}

func TestMQTT5InvalidArguments(t *testing.T) {
	ctx := testCtx(t)
	for i, opts := range [][]Option{
		{WithProtocolVersion(3)},
		{WithProtocolVersion(6)},
		{WithProtocolVersion(MQTT5), WithConnectProperties(ConnectProperties{SessionExpiry: -time.Second})},
		{WithProtocolVersion(MQTT5), WithConnectProperties(ConnectProperties{
			UserProperties: []UserProperty{{"a\x00", "b"}}})},
		// Will properties without a will.
		{WithProtocolVersion(MQTT5), WithWillProperties(PublishProperties{}, time.Second)},
	} {
		if _, err := Dial(ctx, broker.WSURL, opts...); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("Dial with bad options %d: %v", i, err)
		}
	}
	c := dial5(t, broker.WSURL)
	tp := topic(t)
	for name, err := range map[string]error{
		"NUL in content type": c.PublishWith(ctx, tp, nil, AtMostOnce, false, &PublishProperties{ContentType: "a\x00"}),
		"NUL in response topic": c.PublishWith(ctx, tp, nil, AtMostOnce, false,
			&PublishProperties{ResponseTopic: "a\x00b"}),
		"payload not UTF-8": c.PublishWith(ctx, tp, []byte{0xff}, AtMostOnce, false,
			&PublishProperties{PayloadFormatUTF8: true}),
		"expiry too long": c.PublishWith(ctx, tp, nil, AtMostOnce, false,
			&PublishProperties{MessageExpiry: SessionNeverExpires + time.Second}),
		"no filters": func() error { _, err := c.SubscribeWith(ctx, nil, 0); return err }(),
		"retain handling 3": func() error {
			_, err := c.SubscribeWith(ctx, []SubscribeFilter{{Filter: tp, RetainHandling: 3}}, 0)
			return err
		}(),
		"identifier too large": func() error {
			_, err := c.SubscribeWith(ctx, []SubscribeFilter{{Filter: tp}}, 1<<28)
			return err
		}(),
		"no unsubscribe filters": func() error { _, err := c.UnsubscribeWith(ctx); return err }(),
	} {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !c.IsConnected() {
		t.Fatal("refused arguments closed the connection")
	}
}

func TestMQTT5EventKinds(t *testing.T) {
	for k, name := range map[EventKind]string{
		EventRejected: "rejected", EventServerDisconnected: "server disconnected", EventDowngraded: "downgraded",
	} {
		if k.String() != name {
			t.Errorf("%d: %q", int(k), k)
		}
	}
	if s := fmt.Sprint(ReasonCode(0x9C)); s != "use another server" {
		t.Errorf("0x9C: %q", s)
	}
	if !ReasonCode(0x80).Failed() || ReasonCode(0x02).Failed() {
		t.Error("Failed")
	}
}
