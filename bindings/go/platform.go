package mqttws

// #include <stdlib.h>
// #include <mqttws.h>
import "C"

import (
	"fmt"
	"time"
	"unsafe"
)

// Platform is a cloud IoT platform device that signs MQTT credentials:
// Tencent, Aliyun, AWSSigV4, AWSCustomAuth, Azure or Huawei. Use it with
// WithPlatform (the client signs afresh at every connect), or call
// Credentials to get the values for another client.
type Platform interface {
	// URL returns the device's endpoint URL, the one Dial uses when given
	// "". For AWS it is the endpoint before signing (wss://{Host}/mqtt),
	// which the credentials of each connect replace.
	URL() (string, error)
	// Credentials computes the credentials of a connection made at time at.
	Credentials(at time.Time) (*Credentials, error)

	// build makes the C credential provider (unexported: the set of
	// platforms is the C library's). The caller frees it.
	build() (*C.mqttws_credential_provider, error)
}

// Credentials are the values a platform device signs for one connection.
type Credentials struct {
	// ClientID is the MQTT client identifier.
	ClientID string
	// Username and Password are the CONNECT fields ("" when the scheme has
	// none, as AWS). The password is a secret: do not log it.
	Username, Password string
	// URL is the URL to connect to: the presigned or custom-authorizer URL
	// for AWS, the device's endpoint otherwise ("" for an Alibaba device
	// without Region or Instance).
	URL string
	// Headers are extra WebSocket upgrade headers (AWS custom authorizer).
	Headers []Header
}

// Header is an HTTP header of the WebSocket upgrade.
type Header struct{ Name, Value string }

// String shows the credentials with the password hidden.
func (c *Credentials) String() string {
	pw := ""
	if c.Password != "" {
		pw = "<redacted>"
	}
	return fmt.Sprintf("{ClientID:%q Username:%q Password:%s URL:%q Headers:%d}",
		c.ClientID, c.Username, pw, c.URL, len(c.Headers))
}

// Scheme selects ws:// or wss:// for a platform's endpoint. The zero value
// is wss://.
type Scheme uint8

const (
	// SchemeWSS: WebSocket over TLS (the default).
	SchemeWSS Scheme = iota
	// SchemeWS: WebSocket over plain TCP.
	SchemeWS
)

func (s Scheme) c() C.uint32_t {
	if s == SchemeWS {
		return C.MQTTWS_SCHEME_WS
	}
	return C.MQTTWS_SCHEME_WSS
}

// cstrs holds C copies of Go strings until freed.
type cstrs []*C.char

func (cs *cstrs) add(what, s string) (*C.char, error) {
	p, err := cstring(what, s)
	if err == nil {
		*cs = append(*cs, p)
	}
	return p, err
}

func (cs cstrs) free() {
	for _, p := range cs {
		C.free(unsafe.Pointer(p))
	}
}

// setters applies a C builder's fallible setters in order, stopping at the
// first failure, which it reports with the field's name.
type setters struct {
	platform string
	cs       cstrs
	err      error
}

func (s *setters) str(what, v string, set func(*C.char) C.mqttws_result) {
	if s.err != nil || v == "" {
		return
	}
	p, err := s.cs.add(s.platform+"."+what, v)
	if err != nil {
		s.err = err
		return
	}
	s.check(what, set(p))
}

func (s *setters) do(what string, set func() C.mqttws_result) {
	if s.err == nil {
		s.check(what, set())
	}
}

func (s *setters) check(what string, r C.mqttws_result) {
	if r != C.MQTTWS_OK && s.err == nil {
		s.err = &Error{Code: Code(r), Msg: fmt.Sprintf("mqttws: %s.%s: %s", s.platform, what, Code(r))}
	}
}

// args copies the C strings a builder's constructor takes, named for errors.
func (s *setters) args(names, values []string) ([]*C.char, error) {
	out := make([]*C.char, len(values))
	for i, v := range values {
		p, err := s.cs.add(s.platform+"."+names[i], v)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// created reports a failed builder constructor.
func (s *setters) created(r C.mqttws_result) error {
	if r != C.MQTTWS_OK {
		return codeError(s.platform, r)
	}
	return nil
}

// finish ends a builder: it frees it if a setter failed, else builds it
// into a provider (which consumes it).
func (s *setters) finish(free func(), build func(**C.mqttws_credential_provider) C.mqttws_result) (*C.mqttws_credential_provider, error) {
	if s.err != nil {
		free()
		return nil, s.err
	}
	var p *C.mqttws_credential_provider
	if r := build(&p); r != C.MQTTWS_OK {
		return nil, s.created(r)
	}
	return p, nil
}

// unixTime converts at for C (seconds since 1970; earlier times give 0,
// which the signers refuse as a clock never set).
func unixTime(at time.Time) C.uint64_t {
	if u := at.Unix(); u > 0 {
		return C.uint64_t(u)
	}
	return 0
}

// endpoint copies a provider's endpoint URL, growing the buffer once if
// needed.
func endpoint(p *C.mqttws_credential_provider) (string, error) {
	var last error
	size := 256
	for i := 0; i < 2; i++ {
		buf := make([]byte, size)
		var n C.size_t
		var e *C.mqttws_error
		r := C.mqttws_credential_provider_url(p, (*C.char)(unsafe.Pointer(&buf[0])), C.size_t(len(buf)), &n, &e)
		if r == C.MQTTWS_OK {
			return string(buf[:n]), nil
		}
		last = errorObject(r, e)
		if r != C.MQTTWS_INSUFFICIENT_SIZE {
			break
		}
		size = int(n)
	}
	return "", last
}

func platformURL(d Platform) (string, error) {
	p, err := d.build()
	if err != nil {
		return "", err
	}
	defer C.mqttws_credential_provider_free(p)
	return endpoint(p)
}

func platformCredentials(d Platform, at time.Time) (*Credentials, error) {
	p, err := d.build()
	if err != nil {
		return nil, err
	}
	defer C.mqttws_credential_provider_free(p)
	var cr *C.mqttws_credentials
	var e *C.mqttws_error
	if r := C.mqttws_credential_provider_credentials(p, unixTime(at), &cr, &e); r != C.MQTTWS_OK {
		return nil, errorObject(r, e)
	}
	defer C.mqttws_credentials_free(cr)
	out := &Credentials{
		ClientID: goString(C.mqttws_credentials_client_id(cr)),
		Username: goString(C.mqttws_credentials_username(cr)),
		Password: goString(C.mqttws_credentials_password(cr)),
		URL:      goString(C.mqttws_credentials_url(cr)),
	}
	n := int(C.mqttws_credentials_header_count(cr))
	for i := 0; i < n; i++ {
		var name, value C.mqttws_str
		if r := C.mqttws_credentials_header(cr, C.size_t(i), &name, &value); r != C.MQTTWS_OK {
			return nil, codeError("credentials header", r)
		}
		out.Headers = append(out.Headers, Header{Name: goString(name), Value: goString(value)})
	}
	if out.URL == "" {
		// The endpoint is not part of the signature; an Alibaba device
		// without an endpoint still has valid credentials.
		out.URL, _ = endpoint(p)
	}
	return out, nil
}

func attach(d Platform, b *C.mqttws_options_builder) error {
	p, err := d.build()
	if err != nil {
		return err
	}
	defer C.mqttws_credential_provider_free(p)
	if r := C.mqttws_options_builder_set_credential_provider(b, p); r != C.MQTTWS_OK {
		return codeError("WithPlatform", r)
	}
	return nil
}

// ---------------------------------------------------------------- Tencent

// Tencent is a Tencent Cloud IoT Hub / IoT Explorer device. Client id
// {ProductID}{DeviceName}; user name {client id};{sdkappid};{connid};{expiry};
// password an HMAC (key devices: PSK) or RSA-SHA256 signature (certificate
// devices: PrivateKeyPEM or PrivateKeyFile) of the user name. Set exactly
// one of PSK, PrivateKeyPEM, PrivateKeyFile. Keepalive range 0..900 s.
type Tencent struct {
	ProductID, DeviceName string
	// PSK is the device key exactly as the console shows it (base64).
	PSK string
	// PrivateKeyPEM is a certificate device's RSA key (PKCS#1 or PKCS#8,
	// unencrypted).
	PrivateKeyPEM []byte
	// PrivateKeyFile is the path of that key, read at every signing.
	PrivateKeyFile string
	// SignMethod of a key device: "hmacsha256" (default) or "hmacsha1".
	SignMethod string
	// Region: "ap-guangzhou" (default), "us-east", "europe", "ap-bangkok".
	Region string
	// Scheme of URL(): wss:// (default, port 443) or ws:// (port 80).
	Scheme Scheme
	// Expiry of the signature: ExpiryTTL after the signing time (default
	// one hour), or at ExpiryAt, or never (2147483647, for devices without
	// a trustworthy clock). Set at most one.
	ExpiryTTL   time.Duration
	ExpiryAt    time.Time
	NeverExpire bool
	// ConnID fixes the connid field instead of 5 random characters (tests).
	ConnID string
	// SDKAppID sets the sdkappid field (default "12010126").
	SDKAppID string
}

// URL returns the endpoint, e.g.
// wss://ABCDEFGHIJ.ap-guangzhou.iothub.tencentdevices.com/mqtt.
func (d Tencent) URL() (string, error) { return platformURL(d) }

// Credentials signs the credentials of a connection made at time at.
func (d Tencent) Credentials(at time.Time) (*Credentials, error) { return platformCredentials(d, at) }

// TencentCredentials signs the credentials of device d for a connection
// made at time at (see Tencent).
func TencentCredentials(d Tencent, at time.Time) (*Credentials, error) { return d.Credentials(at) }

func (d Tencent) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "Tencent"}
	defer s.cs.free()
	ids, err := s.args([]string{"ProductID", "DeviceName"}, []string{d.ProductID, d.DeviceName})
	if err != nil {
		return nil, err
	}
	keys := 0
	for _, set := range []bool{d.PSK != "", len(d.PrivateKeyPEM) > 0, d.PrivateKeyFile != ""} {
		if set {
			keys++
		}
	}
	if keys != 1 {
		return nil, argError("Tencent: set exactly one of PSK, PrivateKeyPEM and PrivateKeyFile")
	}
	expiries := 0
	for _, set := range []bool{d.ExpiryTTL != 0, !d.ExpiryAt.IsZero(), d.NeverExpire} {
		if set {
			expiries++
		}
	}
	if expiries > 1 {
		return nil, argError("Tencent: set at most one of ExpiryTTL, ExpiryAt and NeverExpire")
	}
	var b *C.mqttws_tencent_device_builder
	var r C.mqttws_result
	switch {
	case d.PSK != "":
		psk, err := s.cs.add("Tencent.PSK", d.PSK)
		if err != nil {
			return nil, err
		}
		r = C.mqttws_tencent_device_builder_new_psk(ids[0], ids[1], psk, &b)
	case len(d.PrivateKeyPEM) > 0:
		r = C.mqttws_tencent_device_builder_new_private_key_pem(ids[0], ids[1], bytesPtr(d.PrivateKeyPEM),
			C.size_t(len(d.PrivateKeyPEM)), &b)
	default:
		path, err := s.cs.add("Tencent.PrivateKeyFile", d.PrivateKeyFile)
		if err != nil {
			return nil, err
		}
		r = C.mqttws_tencent_device_builder_new_private_key_file(ids[0], ids[1], path, &b)
	}
	if err := s.created(r); err != nil {
		return nil, err
	}
	s.str("SignMethod", d.SignMethod, func(v *C.char) C.mqttws_result {
		return C.mqttws_tencent_device_builder_set_sign_method(b, v)
	})
	s.str("Region", d.Region, func(v *C.char) C.mqttws_result {
		return C.mqttws_tencent_device_builder_set_region(b, v)
	})
	s.do("Scheme", func() C.mqttws_result { return C.mqttws_tencent_device_builder_set_scheme(b, d.Scheme.c()) })
	switch {
	case d.NeverExpire:
		s.do("NeverExpire", func() C.mqttws_result { return C.mqttws_tencent_device_builder_set_expiry_never(b) })
	case !d.ExpiryAt.IsZero():
		s.do("ExpiryAt", func() C.mqttws_result {
			return C.mqttws_tencent_device_builder_set_expiry_at(b, unixTime(d.ExpiryAt))
		})
	case d.ExpiryTTL != 0:
		s.do("ExpiryTTL", func() C.mqttws_result {
			return C.mqttws_tencent_device_builder_set_expiry_ttl(b, C.uint64_t(d.ExpiryTTL/time.Second))
		})
	}
	s.str("ConnID", d.ConnID, func(v *C.char) C.mqttws_result {
		return C.mqttws_tencent_device_builder_set_connid(b, v)
	})
	s.str("SDKAppID", d.SDKAppID, func(v *C.char) C.mqttws_result {
		return C.mqttws_tencent_device_builder_set_sdkappid(b, v)
	})
	return s.finish(func() { C.mqttws_tencent_device_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_tencent_device_builder_build(b, p)
		})
}

// ----------------------------------------------------------------- Aliyun

// Aliyun is an Alibaba Cloud IoT Platform device authenticated by its
// device secret. Client id {ClientID}|securemode=2,signmethod=...,timestamp=...|
// (securemode 3 over ws://), user name {DeviceName}&{ProductKey}, password
// an HMAC of the sorted parameters. Set Region or Instance for URL().
// Keepalive range 30..1200 s.
type Aliyun struct {
	ProductKey, DeviceName, DeviceSecret string
	// ClientID is the bare client id (default {ProductKey}.{DeviceName};
	// at most 64 characters, no '|').
	ClientID string
	// Scheme: wss:// (default, securemode=2) or ws:// (securemode=3); both
	// on port 443.
	Scheme Scheme
	// SignMethod: "hmacsha256" (default), "hmacsha1" or "hmacmd5".
	SignMethod string
	// FixedTimestamp (milliseconds) replaces the signing time as the
	// timestamp parameter, e.g. 2524608000000 as Alibaba's C SDKs send;
	// OmitTimestamp sends none. Default: the signing time.
	FixedTimestamp int64
	OmitTimestamp  bool
	// LowercaseHex emits the password in lower-case hex (the server
	// accepts both).
	LowercaseHex bool
	// Region of an old public instance, e.g. "cn-shanghai"
	// ({ProductKey}.iot-as-mqtt.{Region}.aliyuncs.com), or Instance, the id
	// of a new public or Enterprise instance ({Instance}.mqtt.iothub.aliyuncs.com).
	Region, Instance string
}

// URL returns the endpoint, e.g.
// wss://a1B2c3D4e5F.iot-as-mqtt.cn-shanghai.aliyuncs.com/.
func (d Aliyun) URL() (string, error) { return platformURL(d) }

// Credentials signs the credentials of a connection made at time at.
func (d Aliyun) Credentials(at time.Time) (*Credentials, error) { return platformCredentials(d, at) }

// AliyunCredentials signs the credentials of device d for a connection
// made at time at (see Aliyun).
func AliyunCredentials(d Aliyun, at time.Time) (*Credentials, error) { return d.Credentials(at) }

func (d Aliyun) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "Aliyun"}
	defer s.cs.free()
	a, err := s.args([]string{"ProductKey", "DeviceName", "DeviceSecret"},
		[]string{d.ProductKey, d.DeviceName, d.DeviceSecret})
	if err != nil {
		return nil, err
	}
	if d.FixedTimestamp != 0 && d.OmitTimestamp {
		return nil, argError("Aliyun: set at most one of FixedTimestamp and OmitTimestamp")
	}
	var b *C.mqttws_aliyun_device_builder
	if err := s.created(C.mqttws_aliyun_device_builder_new(a[0], a[1], a[2], &b)); err != nil {
		return nil, err
	}
	s.str("ClientID", d.ClientID, func(v *C.char) C.mqttws_result {
		return C.mqttws_aliyun_device_builder_set_client_id(b, v)
	})
	s.do("Scheme", func() C.mqttws_result { return C.mqttws_aliyun_device_builder_set_scheme(b, d.Scheme.c()) })
	s.str("SignMethod", d.SignMethod, func(v *C.char) C.mqttws_result {
		return C.mqttws_aliyun_device_builder_set_sign_method(b, v)
	})
	switch {
	case d.OmitTimestamp:
		s.do("OmitTimestamp", func() C.mqttws_result { return C.mqttws_aliyun_device_builder_set_timestamp_omit(b) })
	case d.FixedTimestamp != 0:
		s.do("FixedTimestamp", func() C.mqttws_result {
			return C.mqttws_aliyun_device_builder_set_timestamp_fixed(b, C.uint64_t(d.FixedTimestamp))
		})
	}
	s.do("LowercaseHex", func() C.mqttws_result {
		return C.mqttws_aliyun_device_builder_set_lowercase_hex(b, C.bool(d.LowercaseHex))
	})
	s.str("Region", d.Region, func(v *C.char) C.mqttws_result {
		return C.mqttws_aliyun_device_builder_set_region(b, v)
	})
	s.str("Instance", d.Instance, func(v *C.char) C.mqttws_result {
		return C.mqttws_aliyun_device_builder_set_instance(b, v)
	})
	return s.finish(func() { C.mqttws_aliyun_device_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_aliyun_device_builder_build(b, p)
		})
}

// -------------------------------------------------------------- AWS SigV4

// AWSSigV4 is an AWS IoT Core SigV4 presigner (IAM or Cognito
// credentials): the credentials are the client id and a presigned
// wss://{Host}/mqtt?X-Amz-... URL, which replaces the URL given to Dial.
// Keepalive range 1..1200 s.
type AWSSigV4 struct {
	// Host is the endpoint, e.g. abc123-ats.iot.us-east-1.amazonaws.com
	// (no scheme or port).
	Host                         string
	AccessKeyID, SecretAccessKey string
	// ClientID is required; the IoT policy must allow it.
	ClientID string
	// Port (default 443; another port is signed as host:port).
	Port uint16
	// Region overrides the region derived from Host (custom domains).
	Region string
	// SessionToken of temporary credentials (STS, Cognito).
	SessionToken string
	// Expires adds X-Amz-Expires (1 s to 7 days) to the signed query.
	Expires time.Duration
}

// URL returns the endpoint before signing, wss://{Host}[:{Port}]/mqtt: the
// credentials of each connect replace it with a URL presigned then.
func (d AWSSigV4) URL() (string, error) { return platformURL(d) }

// PresignedURL returns the URL presigned for a connection made at time at
// (the URL of Credentials; ClientID must be set).
func (d AWSSigV4) PresignedURL(at time.Time) (string, error) {
	c, err := d.Credentials(at)
	if err != nil {
		return "", err
	}
	return c.URL, nil
}

// Credentials signs the credentials (client id and presigned URL) of a
// connection made at time at.
func (d AWSSigV4) Credentials(at time.Time) (*Credentials, error) { return platformCredentials(d, at) }

// AWSCredentials signs the SigV4 credentials (client id and presigned URL)
// of signer d for a connection made at time at (see AWSSigV4).
func AWSCredentials(d AWSSigV4, at time.Time) (*Credentials, error) { return d.Credentials(at) }

func (d AWSSigV4) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "AWSSigV4"}
	defer s.cs.free()
	a, err := s.args([]string{"Host", "AccessKeyID", "SecretAccessKey"},
		[]string{d.Host, d.AccessKeyID, d.SecretAccessKey})
	if err != nil {
		return nil, err
	}
	var b *C.mqttws_aws_sigv4_builder
	if err := s.created(C.mqttws_aws_sigv4_builder_new(a[0], a[1], a[2], &b)); err != nil {
		return nil, err
	}
	s.str("ClientID", d.ClientID, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_sigv4_builder_set_client_id(b, v)
	})
	if d.Port != 0 {
		s.do("Port", func() C.mqttws_result { return C.mqttws_aws_sigv4_builder_set_port(b, C.uint16_t(d.Port)) })
	}
	s.str("Region", d.Region, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_sigv4_builder_set_region(b, v)
	})
	s.str("SessionToken", d.SessionToken, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_sigv4_builder_set_session_token(b, v)
	})
	if d.Expires != 0 {
		s.do("Expires", func() C.mqttws_result {
			return C.mqttws_aws_sigv4_builder_set_expires(b, C.uint64_t(d.Expires/time.Second))
		})
	}
	return s.finish(func() { C.mqttws_aws_sigv4_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_aws_sigv4_builder_build(b, p)
		})
}

// ------------------------------------------------------- AWS custom auth

// AWSCustomAuth is an AWS IoT Core custom authorizer over wss://: the
// client id, the URL wss://{Host}/mqtt (which replaces the URL given to
// Dial) and the authorizer parameters as upgrade headers (default) or in
// the URL query. Keepalive range 1..1200 s.
type AWSCustomAuth struct {
	// Host is the endpoint (no scheme or port).
	Host string
	// ClientID is required.
	ClientID string
	// Port (default 443).
	Port uint16
	// AuthorizerName (x-amz-customauthorizer-name); without it the
	// account's default authorizer applies.
	AuthorizerName string
	// TokenKeyName and Token are sent as "{TokenKeyName}: {Token}".
	TokenKeyName, Token string
	// TokenSignature (x-amz-customauthorizer-signature, base64), when the
	// authorizer has token signing on.
	TokenSignature string
	// QueryString puts the parameters in the URL query instead of headers.
	QueryString bool
}

// URL returns the endpoint, wss://{Host}[:{Port}]/mqtt, without the
// authorizer parameters: Credentials gives the URL each connect uses (with
// the parameters in its query when QueryString is set).
func (d AWSCustomAuth) URL() (string, error) { return platformURL(d) }

// Credentials returns the client id, URL and headers (at is not used by
// this scheme).
func (d AWSCustomAuth) Credentials(at time.Time) (*Credentials, error) {
	return platformCredentials(d, at)
}

// AWSCustomAuthCredentials returns the custom-authorizer credentials of d
// (see AWSCustomAuth).
func AWSCustomAuthCredentials(d AWSCustomAuth) (*Credentials, error) {
	return d.Credentials(time.Now())
}

func (d AWSCustomAuth) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "AWSCustomAuth"}
	defer s.cs.free()
	host, err := s.cs.add("AWSCustomAuth.Host", d.Host)
	if err != nil {
		return nil, err
	}
	var b *C.mqttws_aws_custom_auth_builder
	if err := s.created(C.mqttws_aws_custom_auth_builder_new(host, &b)); err != nil {
		return nil, err
	}
	s.str("ClientID", d.ClientID, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_custom_auth_builder_set_client_id(b, v)
	})
	if d.Port != 0 {
		s.do("Port", func() C.mqttws_result {
			return C.mqttws_aws_custom_auth_builder_set_port(b, C.uint16_t(d.Port))
		})
	}
	s.str("AuthorizerName", d.AuthorizerName, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_custom_auth_builder_set_authorizer_name(b, v)
	})
	if d.TokenKeyName != "" || d.Token != "" {
		kt, err := s.args([]string{"TokenKeyName", "Token"}, []string{d.TokenKeyName, d.Token})
		if err == nil {
			s.do("Token", func() C.mqttws_result {
				return C.mqttws_aws_custom_auth_builder_set_token(b, kt[0], kt[1])
			})
		} else if s.err == nil {
			s.err = err
		}
	}
	s.str("TokenSignature", d.TokenSignature, func(v *C.char) C.mqttws_result {
		return C.mqttws_aws_custom_auth_builder_set_token_signature(b, v)
	})
	if d.QueryString {
		s.do("QueryString", func() C.mqttws_result {
			return C.mqttws_aws_custom_auth_builder_set_mode(b, C.MQTTWS_AWS_CUSTOM_AUTH_QUERY_STRING)
		})
	}
	return s.finish(func() { C.mqttws_aws_custom_auth_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_aws_custom_auth_builder_build(b, p)
		})
}

// ------------------------------------------------------------------ Azure

// Azure is an Azure IoT Hub device (or module) with a symmetric key:
// client id {DeviceID}[/{ModuleID}], user name
// {Hub}/{DeviceID}/?api-version=..., password a SAS token valid for SASTTL
// after the signing time. Keepalive range 1..1740 s.
type Azure struct {
	// Hub is the full host name, e.g. myhub.azure-devices.net.
	Hub, DeviceID string
	// Key is the device (or module, or policy) key as the portal shows it
	// (base64).
	Key string
	// ModuleID authenticates as this module of the device.
	ModuleID string
	// SharedAccessKeyName names the policy whose key was given (adds &skn=).
	SharedAccessKeyName string
	// SASTTL is the token lifetime (default one hour).
	SASTTL time.Duration
	// APIVersion of the user name (default "2021-04-12").
	APIVersion string
	// DeviceClientType appends &DeviceClientType=... to the user name.
	DeviceClientType string
	// OmitNoClientCertHint drops the ?iothub-no-client-cert=true the URL
	// ends with by default.
	OmitNoClientCertHint bool
}

// URL returns the endpoint (wss://{Hub}/$iothub/websocket...).
func (d Azure) URL() (string, error) { return platformURL(d) }

// Credentials signs the credentials (a SAS token valid from at for
// SASTTL) of a connection made at time at.
func (d Azure) Credentials(at time.Time) (*Credentials, error) { return platformCredentials(d, at) }

// AzureCredentials signs the credentials of device d for a connection made
// at time at (see Azure).
func AzureCredentials(d Azure, at time.Time) (*Credentials, error) { return d.Credentials(at) }

func (d Azure) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "Azure"}
	defer s.cs.free()
	a, err := s.args([]string{"Hub", "DeviceID", "Key"}, []string{d.Hub, d.DeviceID, d.Key})
	if err != nil {
		return nil, err
	}
	var b *C.mqttws_azure_device_builder
	if err := s.created(C.mqttws_azure_device_builder_new(a[0], a[1], a[2], &b)); err != nil {
		return nil, err
	}
	s.str("ModuleID", d.ModuleID, func(v *C.char) C.mqttws_result {
		return C.mqttws_azure_device_builder_set_module_id(b, v)
	})
	s.str("SharedAccessKeyName", d.SharedAccessKeyName, func(v *C.char) C.mqttws_result {
		return C.mqttws_azure_device_builder_set_shared_access_key_name(b, v)
	})
	if d.SASTTL != 0 {
		s.do("SASTTL", func() C.mqttws_result {
			return C.mqttws_azure_device_builder_set_sas_ttl(b, C.uint64_t(d.SASTTL/time.Second))
		})
	}
	s.str("APIVersion", d.APIVersion, func(v *C.char) C.mqttws_result {
		return C.mqttws_azure_device_builder_set_api_version(b, v)
	})
	s.str("DeviceClientType", d.DeviceClientType, func(v *C.char) C.mqttws_result {
		return C.mqttws_azure_device_builder_set_device_client_type(b, v)
	})
	s.do("OmitNoClientCertHint", func() C.mqttws_result {
		return C.mqttws_azure_device_builder_set_no_client_cert_hint(b, C.bool(!d.OmitNoClientCertHint))
	})
	return s.finish(func() { C.mqttws_azure_device_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_azure_device_builder_build(b, p)
		})
}

// ----------------------------------------------------------------- Huawei

// Huawei is a Huawei Cloud IoTDA device authenticated by its secret:
// client id {DeviceID}_0_{0|1}_{YYYYMMDDHH}, user name {DeviceID},
// password an HMAC-SHA256 keyed with the UTC hour. Keepalive range
// 30..1200 s.
type Huawei struct {
	// Host is the device access host (no scheme, port or path).
	Host, DeviceID, Secret string
	// CheckTimestamp asks the platform to check the timestamp against its
	// own clock (client id _0_1_; needs a set clock).
	CheckTimestamp bool
}

// URL returns the endpoint (wss://{Host}/mqtt).
func (d Huawei) URL() (string, error) { return platformURL(d) }

// Credentials signs the credentials of a connection made at time at.
func (d Huawei) Credentials(at time.Time) (*Credentials, error) { return platformCredentials(d, at) }

// HuaweiCredentials signs the credentials of device d for a connection
// made at time at (see Huawei).
func HuaweiCredentials(d Huawei, at time.Time) (*Credentials, error) { return d.Credentials(at) }

func (d Huawei) build() (*C.mqttws_credential_provider, error) {
	s := setters{platform: "Huawei"}
	defer s.cs.free()
	a, err := s.args([]string{"Host", "DeviceID", "Secret"}, []string{d.Host, d.DeviceID, d.Secret})
	if err != nil {
		return nil, err
	}
	var b *C.mqttws_huawei_device_builder
	if err := s.created(C.mqttws_huawei_device_builder_new(a[0], a[1], a[2], &b)); err != nil {
		return nil, err
	}
	s.do("CheckTimestamp", func() C.mqttws_result {
		return C.mqttws_huawei_device_builder_set_check_timestamp(b, C.bool(d.CheckTimestamp))
	})
	return s.finish(func() { C.mqttws_huawei_device_builder_free(b) },
		func(p **C.mqttws_credential_provider) C.mqttws_result {
			return C.mqttws_huawei_device_builder_build(b, p)
		})
}
