# Moquette, embedded in a small Java main (Main.java); pinned by pom.xml.
# Java 17.
VERSION=0.17

install() { maven_install; }

# netty.mqtt.message_size (default 8,092 bytes) and websocket_max_frame_size
# (default 65,536) must be raised for the 256 KiB checks. The plain TCP
# listener cannot be left out of a port: it is disabled.
start() {
  make_p12 keystore.p12
  cat >moquette.conf <<CONF
host=127.0.0.1
port=disabled
ssl_port=disabled
websocket_port=$IOP_WS_PORT
secure_websocket_port=$IOP_WSS_PORT
websocket_path=/mqtt
ssl_provider=JDK
jks_path=$IOP_DIR/keystore.p12
key_store_type=pkcs12
key_store_password=$KEYSTORE_PASSWORD
key_manager_password=$KEYSTORE_PASSWORD
allow_anonymous=true
persistence_enabled=false
data_path=$IOP_DIR/data
netty.mqtt.message_size=2097152
websocket_max_frame_size=2097152
telemetry_enabled=false
CONF
  java_exec "$IOP_DIR/moquette.conf"
}
