# Helpers for tests/interop/brokers/*/broker.sh, sourced by tests/interop/broker.
# shellcheck shell=bash

# Install progress goes to stderr, and only when something is done.
say() { echo "interop: $BROKER: $*" >&2; }

need() { # COMMAND HINT
  command -v "$1" >/dev/null 2>&1 || { echo "interop: $BROKER needs $1 ($2)" >&2; exit 1; }
}

# An install is redone only when its inputs change: the stamp hashes VERSION,
# the install function and the files beside broker.sh (pins, sources), but
# not start(), so that a configuration change does not rebuild rumqttd.
stamp_value() {
  { echo "$VERSION"; declare -f install; find "$BROKER_SRC" -type f ! -name broker.sh | sort | xargs cat; } |
    sha256sum | cut -d' ' -f1
}
installed() { [ -f "$BROKER_CACHE/.stamp" ] && [ "$(cat "$BROKER_CACHE/.stamp")" = "$(stamp_value)" ]; }
mark_installed() { stamp_value >"$BROKER_CACHE/.stamp"; }

# Maven brokers: the pom.xml beside broker.sh pins the artifacts; its
# classpath goes to cp.txt and Main.java is compiled against it. One local
# repository for all of them (they share netty and friends).
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.6.1
maven_install() {
  installed && return 0
  need mvn "apt-get install maven"
  need javac "apt-get install default-jdk-headless"
  say "resolving $BROKER $VERSION with Maven"
  # Maven prints its errors on stdout: kept, and shown only on failure.
  mvn -q -B -f "$BROKER_SRC/pom.xml" -Dmaven.repo.local="$IOP_CACHE/m2" \
    "$MAVEN_DEPENDENCY_PLUGIN:build-classpath" -Dmdep.outputFile="$BROKER_CACHE/cp.txt" \
    >"$BROKER_CACHE/mvn.log" 2>&1 || { cat "$BROKER_CACHE/mvn.log" >&2; exit 1; }
  rm -rf "$BROKER_CACHE/classes"
  javac -nowarn -d "$BROKER_CACHE/classes" -cp "$(cat "$BROKER_CACHE/cp.txt")" "$BROKER_SRC/Main.java"
  mark_installed
}

# Small heap and the client compiler: start-up matters more than throughput.
java_exec() { # ARGS...
  exec java -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -cp "$BROKER_CACHE/classes:$(cat "$BROKER_CACHE/cp.txt")" Main "$@"
}

# The server certificate and key as a PKCS#12 keystore (Java brokers).
KEYSTORE_PASSWORD=interop-keystore
make_p12() { # OUT
  openssl pkcs12 -export -in "$IOP_CERT" -inkey "$IOP_KEY" -certfile "$IOP_CA" -name server \
    -passout "pass:$KEYSTORE_PASSWORD" -out "$1"
}
make_jks() { # OUT
  make_p12 "$1.p12"
  keytool -importkeystore -noprompt -srckeystore "$1.p12" -srcstoretype PKCS12 \
    -srcstorepass "$KEYSTORE_PASSWORD" -destkeystore "$1" -deststoretype JKS \
    -deststorepass "$KEYSTORE_PASSWORD" -destkeypass "$KEYSTORE_PASSWORD" >/dev/null 2>&1
}

# Erlang brokers need epmd; ours runs on its own port (IOP_PORT_1) in the
# foreground, in the harness's process group, which the harness stops.
start_epmd() {
  export ERL_EPMD_PORT=$IOP_PORT_1
  epmd -port "$IOP_PORT_1" &
}
wait_for_epmd() { # bounded: 10 s
  local i
  for i in $(seq 200); do
    epmd -port "$IOP_PORT_1" -names >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "interop: $BROKER: epmd did not come up on port $IOP_PORT_1" >&2
  exit 1
}
