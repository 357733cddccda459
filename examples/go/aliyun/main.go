// Command aliyun connects an Alibaba Cloud IoT Platform device over wss://
// and publishes one message to /{ProductKey}/{DeviceName}/user/update.
//
// Secrets come from the environment, never from the command line:
//
//	ALIYUN_PRODUCT_KEY, ALIYUN_DEVICE_NAME, ALIYUN_DEVICE_SECRET
//	ALIYUN_REGION (e.g. cn-shanghai) or ALIYUN_INSTANCE_ID (iot-...)
//	MQTTWS_URL        optional: connect there instead of the Alibaba endpoint
//	                  (a local test broker), with MQTTWS_CA_FILE for wss://
//	ALIYUN_TIMESTAMP  optional: a fixed timestamp parameter (milliseconds)
//
// The device signs afresh at every connect (WithPlatform).
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"mqttws.dev/mqttws"
)

func env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		fmt.Fprintf(os.Stderr, "aliyun: set %s (and ALIYUN_PRODUCT_KEY, ALIYUN_DEVICE_NAME, "+
			"ALIYUN_DEVICE_SECRET, ALIYUN_REGION or ALIYUN_INSTANCE_ID)\n", name)
		os.Exit(2)
	}
	return v
}

func main() {
	dev := mqttws.Aliyun{
		ProductKey:   env("ALIYUN_PRODUCT_KEY"),
		DeviceName:   env("ALIYUN_DEVICE_NAME"),
		DeviceSecret: env("ALIYUN_DEVICE_SECRET"),
		Instance:     os.Getenv("ALIYUN_INSTANCE_ID"),
	}
	if dev.Instance == "" {
		dev.Region = env("ALIYUN_REGION")
	}
	if ts := os.Getenv("ALIYUN_TIMESTAMP"); ts != "" {
		n, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "aliyun: ALIYUN_TIMESTAMP must be a number of milliseconds")
			os.Exit(2)
		}
		dev.FixedTimestamp = n
	}
	url := os.Getenv("MQTTWS_URL")                                                             // "": the device's endpoint
	opts := []mqttws.Option{mqttws.WithPlatform(dev), mqttws.WithKeepAlive(300 * time.Second)} // Alibaba: 30..1200 s
	if ca := os.Getenv("MQTTWS_CA_FILE"); ca != "" {
		opts = append(opts, mqttws.WithCAFile(ca))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := mqttws.Dial(ctx, url, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, "aliyun:", err)
		os.Exit(1)
	}
	defer c.Close()
	if url == "" {
		url, _ = dev.URL()
	}
	fmt.Printf("aliyun: connected to %s as %s.%s\n", url, dev.ProductKey, dev.DeviceName)
	topic := "/" + dev.ProductKey + "/" + dev.DeviceName + "/user/update"
	if err := c.Publish(ctx, topic, []byte(`{"hello":"mqttws"}`), mqttws.AtLeastOnce, false); err != nil {
		fmt.Fprintln(os.Stderr, "aliyun:", err)
		os.Exit(1)
	}
	fmt.Printf("aliyun: published to %s\n", topic)
}
