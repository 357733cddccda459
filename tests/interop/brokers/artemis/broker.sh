# ActiveMQ Artemis, embedded in a small Java main (Main.java); pinned by
# pom.xml. Java 17.
VERSION=2.44.0

install() { maven_install; }

# An acceptor with protocols=MQTT takes WebSocket upgrades on any path.
# webSocketMaxFramePayloadLength: the default (65,536) answers a 256 KiB
# message with a TCP reset, not even a close frame.
start() {
  make_p12 keystore.p12
  local opts="protocols=MQTT;webSocketMaxFramePayloadLength=2097152"
  java_exec "$IOP_DIR" \
    "tcp://127.0.0.1:$IOP_WS_PORT?$opts" \
    "tcp://127.0.0.1:$IOP_WSS_PORT?$opts;sslEnabled=true;keyStoreType=PKCS12;keyStorePath=$IOP_DIR/keystore.p12;keyStorePassword=$KEYSTORE_PASSWORD"
}
