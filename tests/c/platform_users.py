"""Prints the MQTT user names and passwords that the platform tests and the
C demo sign with, computed independently of the library (Python's hmac), for
the test broker's password listeners: four lines, user and password of a
Tencent key device (connid "abcde", no expiry, HMAC-SHA256) and of an
Alibaba device (timestamp 789, HMAC-SHA256). Must match
tests/c/test_platform.c and the demo in examples/c/demo.sh."""
import base64
import hashlib
import hmac

tencent_user = "ABCDEFGHIJdev001;12010126;abcde;2147483647"
tencent_key = base64.b64decode("AAECAwQFBgcICQoLDA0ODw==")
print(tencent_user)
print(hmac.new(tencent_key, tencent_user.encode(), hashlib.sha256).hexdigest() + ";hmacsha256")

print("dev001&a1B2c3D4e5F")
content = "clientIda1B2c3D4e5F.dev001deviceNamedev001productKeya1B2c3D4e5Ftimestamp789"
print(hmac.new(b"device-secret", content.encode(), hashlib.sha256).hexdigest().upper())
