package mqttws

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The reference vectors of shared/reference/platform-auth.md, byte for
// byte (the same as tests/c/test_platform.c).

func mustCreds(t *testing.T, p Platform, at time.Time) *Credentials {
	t.Helper()
	c, err := p.Credentials(at)
	if err != nil {
		t.Fatalf("%T.Credentials: %v", p, err)
	}
	return c
}

func check(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
}

func TestTencentVectors(t *testing.T) {
	d := Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PSK: "AAECAwQFBgcICQoLDA0ODw==",
		ConnID: "abcde", ExpiryAt: time.Unix(1700000000, 0), SignMethod: "hmacsha1"}
	at := time.Unix(1699990000, 0)
	c, err := TencentCredentials(d, at)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client id", c.ClientID, "ABCDEFGHIJdev001")
	check(t, "user name", c.Username, "ABCDEFGHIJdev001;12010126;abcde;1700000000")
	check(t, "password", c.Password, "4503b73274d953b0d5cf14777dbddbd2d9ae67b6;hmacsha1")
	check(t, "URL", c.URL, "wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt")
	if len(c.Headers) != 0 {
		t.Errorf("headers %v", c.Headers)
	}
	d.SignMethod = "hmacsha256"
	check(t, "password", mustCreds(t, d, at).Password,
		"ee0578a13c87a73422451cef483983c7681f1e954149f82f799a29bb961ecd03;hmacsha256")

	d.Region, d.Scheme = "europe", SchemeWS
	u, err := d.URL()
	check(t, "URL", u, "ws://ABCDEFGHIJ.europe.iothub.tencentdevices.com/mqtt")
	if err != nil {
		t.Fatal(err)
	}
	d.ExpiryAt, d.NeverExpire = time.Time{}, true
	check(t, "user name", mustCreds(t, d, at).Username, "ABCDEFGHIJdev001;12010126;abcde;2147483647")
	d.NeverExpire, d.ExpiryTTL, d.SDKAppID = false, 600*time.Second, "21010406"
	check(t, "user name", mustCreds(t, d, at).Username, "ABCDEFGHIJdev001;21010406;abcde;1699990600")
	if strings.Contains(mustCreds(t, d, at).String(), "hmacsha256") {
		t.Error("Credentials.String shows the password")
	}
}

func TestAliyunVectors(t *testing.T) {
	d := Aliyun{ProductKey: "pk", DeviceName: "device", DeviceSecret: "secret", ClientID: "12345",
		FixedTimestamp: 789, Scheme: SchemeWS, SignMethod: "hmacsha1"}
	at := time.Unix(1700000000, 0)
	c, err := AliyunCredentials(d, at)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client id", c.ClientID, "12345|securemode=3,signmethod=hmacsha1,timestamp=789|")
	check(t, "user name", c.Username, "device&pk")
	check(t, "password", c.Password, "FAFD82A3D602B37FB0FA8B7892F24A477F851A14")
	check(t, "URL (no endpoint set)", c.URL, "")

	d.SignMethod, d.LowercaseHex, d.Scheme = "hmacsha256", true, SchemeWSS
	c = mustCreds(t, d, at)
	check(t, "client id", c.ClientID, "12345|securemode=2,signmethod=hmacsha256,timestamp=789|")
	check(t, "password", c.Password, "6074a46a91b1ebb2cc4ea42790ad0e80202c9843859fc292e57c4eb19fad9e57")
	d.SignMethod = "hmacmd5"
	check(t, "password", mustCreds(t, d, at).Password, "14b198324fe55e1d3c88f2e705e201ee")

	d.FixedTimestamp = 0
	check(t, "client id", mustCreds(t, d, at).ClientID,
		"12345|securemode=2,signmethod=hmacmd5,timestamp=1700000000000|")
	d.OmitTimestamp = true
	check(t, "client id", mustCreds(t, d, at).ClientID, "12345|securemode=2,signmethod=hmacmd5|")

	d.Region = "cn-shanghai"
	u, _ := d.URL()
	check(t, "URL", u, "wss://pk.iot-as-mqtt.cn-shanghai.aliyuncs.com/")
	d.Region, d.Instance, d.Scheme = "", "iot-06z00ab1c2d3e4f", SchemeWS
	u, _ = d.URL()
	check(t, "URL", u, "ws://iot-06z00ab1c2d3e4f.mqtt.iothub.aliyuncs.com:443/")
}

const awsURLA = "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?X-Amz-Algorithm=AWS4-HMAC-SHA256&" +
	"X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fiotdevicegateway%2Faws4_request&" +
	"X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&" +
	"X-Amz-Signature=026c20a61bae0c9e109ab3720b96164d965f64dfc0dd03bfc9f1152ab1d323f9"

func TestAWSVectors(t *testing.T) {
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	s := AWSSigV4{Host: "example-ats.iot.us-east-1.amazonaws.com", AccessKeyID: "AKIDEXAMPLE",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ClientID: "dev1"}
	u, err := s.URL()
	if err != nil {
		t.Fatal(err)
	}
	check(t, "endpoint before signing", u, "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt")
	u, err = s.PresignedURL(at)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "presigned URL", u, awsURLA)
	s.SessionToken = "AQoDYXdzEXAMPLETOKEN+/="
	c, err := AWSCredentials(s, at)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client id", c.ClientID, "dev1")
	check(t, "user name", c.Username, "")
	check(t, "password", c.Password, "")
	check(t, "URL", c.URL, awsURLA+"&X-Amz-Security-Token=AQoDYXdzEXAMPLETOKEN%2B%2F%3D")

	a := AWSCustomAuth{Host: "example-ats.iot.us-east-1.amazonaws.com", ClientID: "dev1",
		AuthorizerName: "myAuth", TokenKeyName: "x-token", Token: "tok", TokenSignature: "c2ln"}
	c, err = AWSCustomAuthCredentials(a)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "URL", c.URL, "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt")
	want := []Header{{"x-amz-customauthorizer-name", "myAuth"}, {"x-amz-customauthorizer-signature", "c2ln"},
		{"x-token", "tok"}}
	if len(c.Headers) != len(want) {
		t.Fatalf("headers %v", c.Headers)
	}
	for i := range want {
		if c.Headers[i] != want[i] {
			t.Errorf("header %d: %v, want %v", i, c.Headers[i], want[i])
		}
	}
	a.QueryString = true
	c = mustCreds(t, a, at)
	check(t, "URL", c.URL, "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt?x-amz-customauthorizer-name="+
		"myAuth&x-amz-customauthorizer-signature=c2ln&x-token=tok")
	if len(c.Headers) != 0 {
		t.Errorf("query-string mode has headers %v", c.Headers)
	}
	u, err = a.URL()
	if err != nil {
		t.Fatal(err)
	}
	check(t, "endpoint", u, "wss://example-ats.iot.us-east-1.amazonaws.com/mqtt")
}

func TestAzureVectors(t *testing.T) {
	d := Azure{Hub: "myhub.azure-devices.net", DeviceID: "dev001", Key: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}
	c, err := AzureCredentials(d, time.Unix(1700000000-3600, 0))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client id", c.ClientID, "dev001")
	check(t, "user name", c.Username, "myhub.azure-devices.net/dev001/?api-version=2021-04-12")
	check(t, "password", c.Password, "SharedAccessSignature sr=myhub.azure-devices.net%2Fdevices%2Fdev001&"+
		"sig=IyzAVunfpol%2Bok6JBPSlNvjj7eJ8GKMNNYoV7bsMqiw%3D&se=1700000000")
	check(t, "URL", c.URL, "wss://myhub.azure-devices.net/$iothub/websocket?iothub-no-client-cert=true")

	d.SASTTL, d.APIVersion, d.DeviceClientType, d.ModuleID = 60*time.Second, "2019-10-01", "mqttws/c", "mod1"
	c = mustCreds(t, d, time.Unix(1700000000, 0))
	check(t, "client id", c.ClientID, "dev001/mod1")
	check(t, "user name", c.Username,
		"myhub.azure-devices.net/dev001/mod1/?api-version=2019-10-01&DeviceClientType=mqttws%2Fc")
	if !strings.Contains(c.Password, "&se=1700000060") {
		t.Errorf("password %q lacks the TTL", c.Password)
	}
	d.OmitNoClientCertHint, d.SharedAccessKeyName = true, "device"
	u, _ := d.URL()
	check(t, "URL", u, "wss://myhub.azure-devices.net/$iothub/websocket")
}

func TestHuaweiVectors(t *testing.T) {
	d := Huawei{Host: "iot-mqtts.cn-north-4.myhuaweicloud.com", DeviceID: "65a1b2c3d4e5f6a7b8c9d0e1_dev001",
		Secret: "mySecret123"}
	at := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	c, err := HuaweiCredentials(d, at)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "client id", c.ClientID, "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_0_2024010112")
	check(t, "user name", c.Username, "65a1b2c3d4e5f6a7b8c9d0e1_dev001")
	check(t, "password", c.Password, "5cbe3a5a502c0c74bab04dc9cc4a88e499e4dc1e207a742ca1ffc753a4266679")
	check(t, "URL", c.URL, "wss://iot-mqtts.cn-north-4.myhuaweicloud.com/mqtt")
	d.CheckTimestamp = true
	check(t, "client id", mustCreds(t, d, at).ClientID, "65a1b2c3d4e5f6a7b8c9d0e1_dev001_0_1_2024010112")
}

func TestPlatformErrors(t *testing.T) {
	at := time.Unix(1700000000, 0)
	expect := func(what string, err error, kind error, part string) {
		t.Helper()
		var e *Error
		if !errors.Is(err, kind) || !errors.As(err, &e) || !strings.Contains(e.Msg, part) {
			t.Errorf("%s: %v, want %v mentioning %q", what, err, kind, part)
		}
	}
	_, err := Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PSK: "not*base64!"}.Credentials(at)
	expect("Tencent PSK not base64", err, ErrAuth, "base64")
	if strings.Contains(err.Error(), "not*base64!") {
		t.Error("the error quotes the PSK")
	}
	_, err = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PSK: "AAAA", SignMethod: "md5"}.Credentials(at)
	expect("Tencent sign method", err, ErrInvalidArgument, "SignMethod")
	_, err = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PSK: "AAAA", ExpiryAt: time.Unix(1600000000, 0)}.Credentials(at)
	expect("Tencent expiry in the past", err, ErrInvalidArgument, "not after now")
	_, err = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001"}.Credentials(at)
	expect("Tencent without a key", err, ErrInvalidArgument, "exactly one")
	_, err = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PrivateKeyPEM: []byte("garbage"),
		NeverExpire: true}.Credentials(at)
	expect("Tencent bad key", err, ErrAuth, "key")
	_, err = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PrivateKeyFile: "/nonexistent.pem",
		NeverExpire: true}.Credentials(at)
	expect("Tencent missing key file", err, ErrAuth, "/nonexistent.pem")
	_, err = Tencent{ProductID: "ABC\x00", DeviceName: "dev001", PSK: "AAAA"}.Credentials(at)
	expect("NUL in a field", err, ErrInvalidArgument, "NUL")

	_, err = Aliyun{ProductKey: "pk", DeviceName: "dev", DeviceSecret: "secret"}.URL()
	expect("Aliyun without endpoint", err, ErrInvalidArgument, "endpoint")
	_, err = Aliyun{ProductKey: "pk", DeviceName: "dev"}.Credentials(at)
	expect("Aliyun empty secret", err, ErrAuth, "secret")

	_, err = AWSSigV4{Host: "example-ats.iot.us-east-1.amazonaws.com", AccessKeyID: "AK", SecretAccessKey: "SK"}.Credentials(at)
	expect("AWS without client id", err, ErrInvalidArgument, "client id")
	_, err = AWSSigV4{Host: "example-ats.iot.us-east-1.amazonaws.com", AccessKeyID: "AK", SecretAccessKey: "SK",
		ClientID: "c"}.PresignedURL(time.Unix(5, 0))
	expect("AWS clock never set", err, ErrInvalidArgument, "2015")
	_, err = AWSSigV4{Host: "broker.example.com", AccessKeyID: "AK", SecretAccessKey: "SK", ClientID: "c"}.PresignedURL(at)
	expect("AWS region", err, ErrInvalidArgument, "region")
	_, err = AWSSigV4{Host: "wss://broker.example.com", AccessKeyID: "AK", SecretAccessKey: "SK"}.URL()
	expect("AWS host with a scheme", err, ErrInvalidArgument, "host")
}

// The devices of main_test.go against the broker's password listener:
// the client signs at every connect, as it would against the cloud.
func TestPlatformConnects(t *testing.T) {
	for _, p := range []Platform{testTencent, testAliyun} {
		c := dial(t, broker.WSAuthURL, WithPlatform(p), WithKeepAlive(60*time.Second),
			WithClientID("ignored"), WithCredentials("ignored", "ignored"))
		tp := topic(t)
		subscribe(t, c, tp, AtLeastOnce)
		if err := c.Publish(testCtx(t), tp, []byte("signed"), AtLeastOnce, false); err != nil {
			t.Fatal(err)
		}
		recv(t, c)
		// Signed again at the next connect.
		if err := c.Disconnect(testCtx(t)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Reconnect(testCtx(t)); err != nil {
			t.Fatalf("%T: Reconnect: %v", p, err)
		}
	}
	// The keepalive is checked against the platform's range (Tencent 0..900 s).
	_, err := Dial(testCtx(t), broker.WSAuthURL, WithPlatform(testTencent), WithKeepAlive(1000*time.Second))
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("keepalive out of the platform's range: %v", err)
	}
	// A wrong key: the broker refuses the CONNECT.
	wrong := testTencent
	wrong.PSK = "AAAAAAAAAAAAAAAAAAAAAA=="
	_, err = Dial(testCtx(t), broker.WSAuthURL, WithPlatform(wrong))
	var e *Error
	if !errors.Is(err, ErrRefused) || !errors.As(err, &e) || e.ConnackCode == 0 {
		t.Fatalf("wrong key: %v", err)
	}
	// Without a URL, Dial uses the platform's endpoint: the real cloud,
	// which a test must not reach; an Alibaba device without an endpoint
	// fails before any I/O.
	_, err = Dial(testCtx(t), "", WithPlatform(Aliyun{ProductKey: "pk", DeviceName: "d", DeviceSecret: "s"}))
	if !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Dial without a URL nor an endpoint: %v", err)
	}
}
