// Command roundtrip is the interop matrix's round trip through the Go module
// (docs/interop.md): a subscriber and a publisher; the subscriber subscribes
// at QoS 1, the publisher publishes at QoS 1 and waits for PUBACK, the
// subscriber receives the message within 10 s. Exits 0 when all of that
// worked.
//
// Environment (set by the Rust harness, tests/src/interop/checks.rs):
// MQTTWS_URL, MQTTWS_TOPIC, and if needed MQTTWS_CA_FILE, MQTTWS_USERNAME,
// MQTTWS_PASSWORD.
package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"mqttws.dev/mqttws"
)

func dial(ctx context.Context, role string) (*mqttws.Client, error) {
	opts := []mqttws.Option{mqttws.WithClientID(fmt.Sprintf("iop-go-%s-%d", role, os.Getpid()))}
	if ca := os.Getenv("MQTTWS_CA_FILE"); ca != "" {
		opts = append(opts, mqttws.WithCAFile(ca))
	}
	if user := os.Getenv("MQTTWS_USERNAME"); user != "" {
		opts = append(opts, mqttws.WithCredentials(user, os.Getenv("MQTTWS_PASSWORD")))
	}
	return mqttws.Dial(ctx, os.Getenv("MQTTWS_URL"), opts...)
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	topic, payload := os.Getenv("MQTTWS_TOPIC"), []byte("hello from Go")
	sub, err := dial(ctx, "sub")
	if err != nil {
		return err
	}
	defer sub.Close()
	pub, err := dial(ctx, "pub")
	if err != nil {
		return err
	}
	defer pub.Close()
	if _, err := sub.Subscribe(ctx, topic, mqttws.AtLeastOnce); err != nil {
		return err
	}
	if err := pub.Publish(ctx, topic, payload, mqttws.AtLeastOnce, false); err != nil {
		return err
	}
	recvCtx, cancelRecv := context.WithTimeout(ctx, 10*time.Second)
	defer cancelRecv()
	msg, err := sub.Recv(recvCtx)
	if err != nil {
		return err
	}
	if !bytes.Equal(msg.Payload, payload) {
		return fmt.Errorf("received %q", msg.Payload)
	}
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "roundtrip (Go):", err)
		os.Exit(1)
	}
	fmt.Println("roundtrip (Go): ok")
}
