# ActiveMQ Classic, embedded in a small Java main (Main.java) with its
# Jetty WebSocket transport; pinned by pom.xml. Java 17.
VERSION=6.1.8

install() { maven_install; }

# websocket.maxBinaryMessageSize: the default (65,536) closes the connection
# with 1009 (message too big) at the first larger message.
start() {
  make_p12 keystore.p12
  local opts="websocket.maxBinaryMessageSize=2097152"
  java_exec "$IOP_DIR" "$IOP_DIR/keystore.p12" "$KEYSTORE_PASSWORD" \
    "ws://127.0.0.1:$IOP_WS_PORT?$opts" "wss://127.0.0.1:$IOP_WSS_PORT?$opts"
}
