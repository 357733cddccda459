// Command publisher publishes a message at QoS 1 and waits for each
// acknowledgement.
//
//	publisher URL TOPIC MESSAGE [COUNT]
//
// For wss:// with a private CA, set MQTTWS_CA_FILE to its PEM file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"time"

	"mqttws.dev/mqttws"
)

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: publisher URL TOPIC MESSAGE [COUNT]")
		os.Exit(2)
	}
	url, topic, message := os.Args[1], os.Args[2], os.Args[3]
	count := 1
	if len(os.Args) > 4 {
		n, err := strconv.Atoi(os.Args[4])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "publisher: COUNT must be a positive number")
			os.Exit(2)
		}
		count = n
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	var opts []mqttws.Option
	if ca := os.Getenv("MQTTWS_CA_FILE"); ca != "" {
		opts = append(opts, mqttws.WithCAFile(ca))
	}
	dialCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	c, err := mqttws.Dial(dialCtx, url, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "publisher:", err)
		os.Exit(1)
	}
	defer c.Close()

	for i := 1; i <= count; i++ {
		payload := message
		if count > 1 {
			payload = fmt.Sprintf("%s #%d", message, i)
		}
		if err := c.Publish(ctx, topic, []byte(payload), mqttws.AtLeastOnce, false); err != nil {
			fmt.Fprintln(os.Stderr, "publisher:", err)
			os.Exit(1)
		}
		fmt.Printf("published %q to %s (acknowledged)\n", payload, topic)
	}
}
