# ejabberd's mod_mqtt, from Debian 12 (ejabberd), run straight from erl.
# Installed by .ci/deps.d/interop.sh.
VERSION=23.01

install() {
  [ -d /usr/lib/x86_64-linux-gnu/ejabberd-$VERSION ] ||
    { echo "interop: ejabberd needs: apt-get install ejabberd" >&2; exit 1; }
}

# mod_mqtt behind ejabberd_http at /mqtt, ws and wss (certfiles: one PEM
# with certificate, key and CA). Anonymous authentication: a client must
# still send a user name and a non-empty password, which are not checked.
# access_publish is an allow-list (a publish passes when any filter that
# matches its topic has a rule that allows it; one that no filter matches is
# refused): only interop/#, where every check publishes, is open, so
# IOP_DENIED/... is refused (the MQTT 5 check publish-refused).
start() {
  cat "$IOP_CERT" "$IOP_KEY" "$IOP_CA" >server-all.pem
  cat >ejabberd.yml <<YAML
hosts: [localhost]
loglevel: info
certfiles: ["$IOP_DIR/server-all.pem"]
auth_method: [anonymous]
anonymous_protocol: login_anon
listen:
  - port: $IOP_WS_PORT
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers: {/mqtt: mod_mqtt}
  - port: $IOP_WSS_PORT
    ip: "127.0.0.1"
    module: ejabberd_http
    tls: true
    request_handlers: {/mqtt: mod_mqtt}
modules:
  mod_mqtt:
    access_publish:
      "interop/#": all
YAML
  mkdir -p mnesia log
  export HOME=$IOP_DIR ERL_LIBS=/usr/lib/x86_64-linux-gnu EJABBERD_CONFIG_PATH=$IOP_DIR/ejabberd.yml \
    EJABBERD_LOG_PATH=$IOP_DIR/log/ejabberd.log
  start_epmd
  wait_for_epmd
  exec erl -sname "interop-$$@localhost" -noinput -mnesia dir "\"$IOP_DIR/mnesia\"" \
    -kernel inet_dist_listen_min "$IOP_PORT_2" inet_dist_listen_max "$IOP_PORT_2" \
    -kernel logger '[{handler,default,logger_std_h,#{}}]' -s ejabberd
}
