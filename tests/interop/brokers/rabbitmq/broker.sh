# RabbitMQ with rabbitmq_web_mqtt, from Debian 12 (rabbitmq-server, which
# does not start by itself in a container). Installed by .ci/deps.d/interop.sh.
VERSION=3.10.8

install() {
  [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] ||
    { echo "interop: rabbitmq needs: apt-get install rabbitmq-server" >&2; exit 1; }
}

# Everything of its own in IOP_DIR: HOME (Erlang cookie), node name, config,
# plugins, database and logs (to stdout); epmd and the distribution port on
# free ports. mqtt.allow_anonymous logs clients in as guest; loopback_users
# none lets guest in at all; the AMQP and plain MQTT listeners are off.
start() {
  cat >rabbitmq.conf <<CONF
listeners.tcp = none
mqtt.listeners.tcp = none
mqtt.allow_anonymous = true
loopback_users = none
web_mqtt.tcp.ip = 127.0.0.1
web_mqtt.tcp.port = $IOP_WS_PORT
web_mqtt.ws_path = /mqtt
web_mqtt.ssl.ip = 127.0.0.1
web_mqtt.ssl.port = $IOP_WSS_PORT
web_mqtt.ssl.cacertfile = $IOP_CA
web_mqtt.ssl.certfile = $IOP_CERT
web_mqtt.ssl.keyfile = $IOP_KEY
CONF
  mkdir -p log mnesia
  echo '[rabbitmq_web_mqtt].' >enabled_plugins
  export HOME=$IOP_DIR RABBITMQ_NODENAME=interop-$$@localhost RABBITMQ_DIST_PORT=$IOP_PORT_2 \
    RABBITMQ_CONFIG_FILE=$IOP_DIR/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$IOP_DIR/enabled_plugins \
    RABBITMQ_CONF_ENV_FILE=$IOP_DIR/none RABBITMQ_ADVANCED_CONFIG_FILE=$IOP_DIR/none \
    RABBITMQ_MNESIA_BASE=$IOP_DIR/mnesia RABBITMQ_LOG_BASE=$IOP_DIR/log RABBITMQ_LOGS=- \
    RABBITMQ_PID_FILE=$IOP_DIR/rabbitmq.pid
  start_epmd
  wait_for_epmd
  exec /usr/lib/rabbitmq/bin/rabbitmq-server
}
