// Command tencent connects a Tencent IoT Hub / IoT Explorer key (PSK)
// device over wss:// and publishes one message to
// {ProductId}/{DeviceName}/data.
//
// Secrets come from the environment, never from the command line:
//
//	TENCENT_PRODUCT_ID, TENCENT_DEVICE_NAME, TENCENT_DEVICE_PSK (base64)
//	TENCENT_REGION   optional, default ap-guangzhou
//	MQTTWS_URL       optional: connect there instead of the Tencent endpoint
//	                 (a local test broker), with MQTTWS_CA_FILE for wss://
//	TENCENT_CONNID, TENCENT_EXPIRY=never   optional, for such tests
//
// The device signs afresh at every connect (WithPlatform).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"mqttws.dev/mqttws"
)

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "tencent: set %s (and TENCENT_PRODUCT_ID, TENCENT_DEVICE_NAME, TENCENT_DEVICE_PSK)\n", name)
		os.Exit(2)
	}
	return v
}

func main() {
	dev := mqttws.Tencent{
		ProductID:   env("TENCENT_PRODUCT_ID"),
		DeviceName:  env("TENCENT_DEVICE_NAME"),
		PSK:         env("TENCENT_DEVICE_PSK"),
		Region:      os.Getenv("TENCENT_REGION"),
		ConnID:      os.Getenv("TENCENT_CONNID"),
		NeverExpire: os.Getenv("TENCENT_EXPIRY") == "never",
	}
	url := os.Getenv("MQTTWS_URL") // "": the device's endpoint
	opts := []mqttws.Option{mqttws.WithPlatform(dev), mqttws.WithKeepAlive(240 * time.Second)}
	if ca := os.Getenv("MQTTWS_CA_FILE"); ca != "" {
		opts = append(opts, mqttws.WithCAFile(ca))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, url, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tencent:", err)
		os.Exit(1)
	}
	defer c.Close()
	if url == "" {
		url, _ = dev.URL()
	}
	fmt.Printf("tencent: connected to %s as %s%s\n", url, dev.ProductID, dev.DeviceName)
	topic := dev.ProductID + "/" + dev.DeviceName + "/data"
	if err := c.Publish(ctx, topic, []byte(`{"hello":"mqttws"}`), mqttws.AtLeastOnce, false); err != nil {
		fmt.Fprintln(os.Stderr, "tencent:", err)
		os.Exit(1)
	}
	fmt.Printf("tencent: published to %s\n", topic)
}
