# The interop matrix (mk/interop.mk, docs/interop.md). `make test` runs
# HiveMQ CE (Java + Maven), Aedes (Node.js + npm) and RabbitMQ (Debian);
# `make interop` adds ejabberd (Debian) and brokers that need only what is
# here and in go.sh/python.sh (Go 1.21+ for Mochi, cargo for rumqttd).
# Neither rabbitmq-server nor ejabberd starts a service in a container; the
# tests run their own instances. openssl and keytool (JDK) make the wss
# keystores.
packages+=(rabbitmq-server ejabberd openssl)
command -v java >/dev/null 2>&1 && command -v keytool >/dev/null 2>&1 || packages+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || packages+=(maven)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
