# Real proxies for tests/tests/proxy.rs: tinyproxy (HTTP CONNECT, Basic auth)
# and microsocks (SOCKS5, username/password). The tests start their own
# instances on free loopback ports; the tinyproxy package's system service
# (port 8888) is not used.
packages+=(tinyproxy microsocks)
