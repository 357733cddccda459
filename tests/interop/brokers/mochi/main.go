// Command mochi runs Mochi MQTT with a ws and a wss listener for the mqttws
// interop matrix. Ports, certificate and key come from the environment set
// by tests/interop/broker.
package main

import (
	"crypto/tls"
	"log"
	"os"
	"os/signal"
	"syscall"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

func main() {
	cert, err := tls.LoadX509KeyPair(os.Getenv("IOP_CERT"), os.Getenv("IOP_KEY"))
	if err != nil {
		log.Fatal(err)
	}
	server := mqtt.New(&mqtt.Options{InlineClient: false})
	if err := server.AddHook(new(auth.AllowHook), nil); err != nil {
		log.Fatal(err)
	}
	ws := listeners.NewWebsocket(listeners.Config{ID: "ws", Address: "127.0.0.1:" + os.Getenv("IOP_WS_PORT")})
	wss := listeners.NewWebsocket(listeners.Config{ID: "wss", Address: "127.0.0.1:" + os.Getenv("IOP_WSS_PORT"),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}}})
	for _, l := range []listeners.Listener{ws, wss} {
		if err := server.AddListener(l); err != nil {
			log.Fatal(err)
		}
	}
	if err := server.Serve(); err != nil {
		log.Fatal(err)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	<-stop
	_ = server.Close()
}
