// Command subscriber subscribes to a topic filter at QoS 1 and prints the
// messages it receives, until COUNT messages (if given) or Ctrl-C.
//
//	subscriber URL FILTER [COUNT]
//
// For wss:// with a private CA, set MQTTWS_CA_FILE to its PEM file. It
// prints "subscribed to FILTER" once the broker acknowledged the
// subscription.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"mqttws.dev/mqttws"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: subscriber URL FILTER [COUNT]")
		os.Exit(2)
	}
	url, filter := os.Args[1], os.Args[2]
	count := 0
	if len(os.Args) > 3 {
		n, err := strconv.Atoi(os.Args[3])
		if err != nil || n < 0 {
			fmt.Fprintln(os.Stderr, "subscriber: COUNT must be a number")
			os.Exit(2)
		}
		count = n
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	opts := []mqttws.Option{
		// Reconnect after a drop and make the subscription again.
		mqttws.WithReconnect(mqttws.ReconnectPolicy{MinDelay: 500 * time.Millisecond, MaxDelay: 30 * time.Second,
			StableAfter: time.Minute, RestoreSubscriptions: true}),
		mqttws.WithEventHandler(func(e mqttws.Event) { fmt.Fprintln(os.Stderr, "subscriber: event:", e.Kind, e.Reason) }),
	}
	if ca := os.Getenv("MQTTWS_CA_FILE"); ca != "" {
		opts = append(opts, mqttws.WithCAFile(ca))
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := mqttws.Dial(dialCtx, url, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscriber:", err)
		os.Exit(1)
	}
	defer c.Close()
	granted, err := c.Subscribe(ctx, filter, mqttws.AtLeastOnce)
	if err != nil {
		fmt.Fprintln(os.Stderr, "subscriber:", err)
		os.Exit(1)
	}
	fmt.Printf("subscribed to %s (granted %v)\n", filter, granted)

	for received := 0; count == 0 || received < count; received++ {
		m, err := c.Recv(ctx)
		if errors.Is(err, context.Canceled) {
			return // Ctrl-C
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "subscriber:", err)
			os.Exit(1)
		}
		fmt.Printf("%s: %s\n", m.Topic, m.Payload)
	}
}
