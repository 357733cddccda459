# HiveMQ Community Edition, embedded in a small Java main (Main.java);
# pinned by pom.xml. Java 17.
VERSION=2025.5

install() { maven_install; }

start() {
  mkdir -p conf data extensions
  make_jks keystore.jks
  local listener
  listener() { # ELEMENT PORT [TLS]
    cat <<XML
    <$1>
      <port>$2</port>
      <bind-address>127.0.0.1</bind-address>
      <path>/mqtt</path>
      <subprotocols><subprotocol>mqttv3.1</subprotocol><subprotocol>mqtt</subprotocol></subprotocols>
      <allow-extensions>true</allow-extensions>$3
    </$1>
XML
  }
  {
    echo '<?xml version="1.0"?>'
    echo '<hivemq>'
    echo '  <listeners>'
    listener websocket-listener "$IOP_WS_PORT" ""
    listener tls-websocket-listener "$IOP_WSS_PORT" "
      <tls><keystore><path>$IOP_DIR/keystore.jks</path><password>$KEYSTORE_PASSWORD</password>
        <private-key-password>$KEYSTORE_PASSWORD</private-key-password></keystore></tls>"
    echo '  </listeners>'
    echo '  <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>'
    echo '</hivemq>'
  } >conf/config.xml
  java_exec "$IOP_DIR" "$IOP_DENIED" "$IOP_WS_PORT" "$IOP_WSS_PORT"
}
