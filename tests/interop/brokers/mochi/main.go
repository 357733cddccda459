// Command mochi runs Mochi MQTT with a ws and a wss listener for the mqttws
// interop matrix. Ports, certificate, key and the denied topics come from the
// environment set by tests/interop/broker.
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
	// Everyone may connect; publishes to IOP_DENIED/# are refused (the ACL of
	// the MQTT 5 check publish-refused: PUBACK/PUBREC 0x87 not authorized).
	ledger := &auth.Ledger{
		Auth: auth.AuthRules{{Allow: true}},
		ACL: auth.ACLRules{{Filters: auth.Filters{
			auth.RString(os.Getenv("IOP_DENIED") + "/#"): auth.Deny,
		}}},
	}
	if err := server.AddHook(new(auth.Hook), &auth.Options{Ledger: ledger}); err != nil {
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
