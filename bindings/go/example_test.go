package mqttws_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	"mqttws.dev/mqttws"
)

// The examples read their broker from the environment, as a program
// would; the test suite points them at its own mosquitto.

// A subscriber and a publisher on one client: subscribe, publish with
// QoS 1 (Publish returns once the broker acknowledged it), receive.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// MQTTWS_URL is e.g. ws://127.0.0.1:8080/mqtt.
	c, err := mqttws.Dial(ctx, os.Getenv("MQTTWS_URL"), mqttws.WithClientID("example"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	if _, err := c.Subscribe(ctx, "example/greetings", mqttws.AtLeastOnce); err != nil {
		log.Fatal(err)
	}
	if err := c.Publish(ctx, "example/greetings", []byte("hello"), mqttws.AtLeastOnce, false); err != nil {
		log.Fatal(err)
	}
	m, err := c.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %s (%v)\n", m.Topic, m.Payload, m.QoS)
	// Output: example/greetings: hello (QoS 1)
}

// wss:// with a private CA (by default the Mozilla root CAs are trusted).
func ExampleDial_wss() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, os.Getenv("MQTTWS_WSS_URL"),
		mqttws.WithCAFile(os.Getenv("MQTTWS_CA_FILE")),
		mqttws.WithKeepAlive(30*time.Second),
		mqttws.WithWill("example/status", []byte("offline"), mqttws.AtLeastOnce, true))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	fmt.Println("connected:", c.IsConnected())
	// Output: connected: true
}

// Messages delivers incoming messages on a channel, closed by Close.
func ExampleClient_Messages() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, os.Getenv("MQTTWS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Subscribe(ctx, "example/counter", mqttws.ExactlyOnce); err != nil {
		log.Fatal(err)
	}
	go func() {
		for i := 1; i <= 3; i++ {
			_ = c.Publish(ctx, "example/counter", []byte(fmt.Sprint(i)), mqttws.ExactlyOnce, false)
		}
	}()
	msgs := c.Messages()
	for i := 0; i < 3; i++ {
		select {
		case m := <-msgs:
			fmt.Println(string(m.Payload))
		case <-ctx.Done():
			log.Fatal("no message")
		}
	}
	// Output:
	// 1
	// 2
	// 3
}

// MQTT 5: a request with properties, read back on the other side; a
// publish the broker refuses is an error with its reason code.
func ExampleClient_PublishWith() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, os.Getenv("MQTTWS_URL"), mqttws.WithProtocolVersion(mqttws.MQTT5))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Subscribe(ctx, "example/requests", mqttws.AtLeastOnce); err != nil {
		log.Fatal(err)
	}
	err = c.PublishWith(ctx, "example/requests", []byte(`{"op":"read"}`), mqttws.AtLeastOnce, false,
		&mqttws.PublishProperties{
			ContentType:     "application/json",
			ResponseTopic:   "example/replies",
			CorrelationData: []byte("42"),
			UserProperties:  []mqttws.UserProperty{{Name: "tenant", Value: "a"}, {Name: "tenant", Value: "b"}},
		})
	if err != nil {
		log.Fatal(err)
	}
	m, err := c.Recv(ctx)
	if err != nil {
		log.Fatal(err)
	}
	p := m.Properties
	fmt.Println(p.ContentType, p.ResponseTopic, string(p.CorrelationData), p.UserProperties)

	// mosquitto does not let clients write to $SYS.
	err = c.PublishWith(ctx, "$SYS/example", []byte("x"), mqttws.AtLeastOnce, false, nil)
	var e *mqttws.Error
	if errors.Is(err, mqttws.ErrRejected) && errors.As(err, &e) {
		fmt.Printf("refused: %#x %v\n", e.ConnackCode, mqttws.ReasonCode(e.ConnackCode))
	}
	// Output:
	// application/json example/replies 42 [{tenant a} {tenant b}]
	// refused: 0x87 not authorized
}

// A context bounds Recv; the error tells a timeout from a failure.
func ExampleClient_Recv() {
	c, err := mqttws.Dial(context.Background(), os.Getenv("MQTTWS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.Recv(ctx)
	switch {
	case errors.Is(err, mqttws.ErrTimeout):
		fmt.Println("nothing within 20 ms")
	case errors.Is(err, mqttws.ErrClosed):
		fmt.Println("connection lost")
	case err != nil:
		log.Fatal(err)
	}
	// Output: nothing within 20 ms
}

// Errors carry the C result code and the library's detailed message.
func ExampleError() {
	_, err := mqttws.Dial(context.Background(), "ws://127.0.0.1:9/mqtt")
	var e *mqttws.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, "|", errors.Is(err, mqttws.ErrIO))
	}
	// Output: network I/O error | true
}

// The credentials a Tencent key device signs (here with the reference
// vector's fixed connid and expiry).
func ExampleTencentCredentials() {
	dev := mqttws.Tencent{
		ProductID:  "ABCDEFGHIJ",
		DeviceName: "dev001",
		PSK:        "AAECAwQFBgcICQoLDA0ODw==",
		SignMethod: "hmacsha1",
		ConnID:     "abcde",
		ExpiryAt:   time.Unix(1700000000, 0),
	}
	c, err := mqttws.TencentCredentials(dev, time.Unix(1699990000, 0))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ClientID)
	fmt.Println(c.Username)
	fmt.Println(c.Password)
	fmt.Println(c.URL)
	// Output:
	// ABCDEFGHIJdev001
	// ABCDEFGHIJdev001;12010126;abcde;1700000000
	// 4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1
	// wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt
}

// The credentials an Alibaba device signs (the documented example).
func ExampleAliyunCredentials() {
	dev := mqttws.Aliyun{
		ProductKey:     "pk",
		DeviceName:     "device",
		DeviceSecret:   "secret",
		ClientID:       "12345",
		FixedTimestamp: 789,
		SignMethod:     "hmacsha1",
		Scheme:         mqttws.SchemeWS,
		Region:         "cn-shanghai",
	}
	c, err := mqttws.AliyunCredentials(dev, time.Now())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ClientID)
	fmt.Println(c.Username)
	fmt.Println(c.Password)
	fmt.Println(c.URL)
	// Output:
	// 12345|securemode=3,signmethod=hmacsha1,timestamp=789|
	// device&pk
	// FAFD82A3D602B37FB0FA8B7892F24A477F851A14
	// ws://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com:443/
}

// Connecting to a cloud platform: the client signs afresh at every
// connect, and Dial with an empty URL uses the device's endpoint. (Not run:
// it needs the real cloud and a real device secret.)
func ExampleWithPlatform() {
	dev := mqttws.Tencent{
		ProductID:  os.Getenv("TENCENT_PRODUCT_ID"),
		DeviceName: os.Getenv("TENCENT_DEVICE_NAME"),
		PSK:        os.Getenv("TENCENT_DEVICE_PSK"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, "", mqttws.WithPlatform(dev), mqttws.WithKeepAlive(240*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	topic := dev.ProductID + "/" + dev.DeviceName + "/data"
	if err := c.Publish(ctx, topic, []byte(`{"temperature":21.5}`), mqttws.AtLeastOnce, false); err != nil {
		log.Fatal(err)
	}
}
