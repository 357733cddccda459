package mqttws

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// broker is the mosquitto of the whole test binary, started by TestMain
// through the tests crate's mqttws-test-broker (it prints one JSON line and
// runs until its stdin closes).
var broker struct {
	WSURL         string `json:"ws_url"`
	WSSURL        string `json:"wss_url"`
	WSSMTLSURL    string `json:"wss_mtls_url"`
	WSAuthURL     string `json:"ws_auth_url"`
	WSSAuthURL    string `json:"wss_auth_url"`
	CAPEMPath     string `json:"ca_pem_path"`
	WrongCAPath   string `json:"wrong_ca_pem_path"`
	ClientCert    string `json:"client_cert_path"`
	ClientKey     string `json:"client_key_path"`
	WSPort        int    `json:"ws_port"`
	WSSPort       int    `json:"wss_port"`
	WSSMTLSPort   int    `json:"wss_mtls_port"`
	PasswordUsers []string
}

// The password user of the CONNACK tests.
const (
	testUser     = "alice"
	testPassword = "alice-secret"
)

// Test devices, signed with a fixed connid / timestamp and no expiry so
// that the broker's password listeners can know their passwords in
// advance (the same devices as tests/c/test_platform.c).
var (
	testTencent = Tencent{ProductID: "ABCDEFGHIJ", DeviceName: "dev001", PSK: "AAECAwQFBgcICQoLDA0ODw==",
		ConnID: "abcde", NeverExpire: true, Scheme: SchemeWS}
	testAliyun = Aliyun{ProductKey: "a1B2c3D4e5F", DeviceName: "dev001", DeviceSecret: "device-secret",
		FixedTimestamp: 789, Scheme: SchemeWS, Region: "cn-shanghai"}
)

// platformUsers computes the user names and passwords of the test devices
// independently of the library, with Go's crypto (as
// tests/c/platform_users.py does with Python's).
func platformUsers() []string {
	tUser := "ABCDEFGHIJdev001;12010126;abcde;2147483647"
	key, err := base64.StdEncoding.DecodeString(testTencent.PSK)
	if err != nil {
		panic(err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tUser))
	tPass := hex.EncodeToString(m.Sum(nil)) + ";hmacsha256"

	aUser := "dev001&a1B2c3D4e5F"
	m = hmac.New(sha256.New, []byte("device-secret"))
	m.Write([]byte("clientIda1B2c3D4e5F.dev001deviceNamedev001productKeya1B2c3D4e5Ftimestamp789"))
	aPass := strings.ToUpper(hex.EncodeToString(m.Sum(nil)))
	return []string{tUser, tPass, aUser, aPass}
}

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	bin := os.Getenv("MQTTWS_TEST_BROKER")
	if bin == "" {
		bin = filepath.Join("..", "..", "target", "debug", "mqttws-test-broker")
	}
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(os.Stderr, "mqttws tests: no test broker at %s (build it with "+
			"`cargo build -p mqttws-tests --bin mqttws-test-broker`, or set MQTTWS_TEST_BROKER)\n", bin)
		return 1
	}
	users := platformUsers()
	cmd := exec.Command(bin, "--user", testUser, testPassword,
		"--user", users[0], users[1], "--user", users[2], users[3])
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		panic(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		panic(err)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "mqttws tests: starting %s: %v\n", bin, err)
		return 1
	}
	stop := func() {
		stdin.Close()
		exited := make(chan struct{})
		go func() { _ = cmd.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	defer stop()

	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(stdout).ReadString('\n')
		line <- s
	}()
	select {
	case s := <-line:
		if err := json.Unmarshal([]byte(s), &broker); err != nil {
			fmt.Fprintf(os.Stderr, "mqttws tests: the broker printed %q: %v\n", s, err)
			return 1
		}
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "mqttws tests: the broker did not start within 60 s")
		return 1
	}
	// For the examples, which read their broker from the environment as a
	// program would.
	os.Setenv("MQTTWS_URL", broker.WSURL)
	os.Setenv("MQTTWS_WSS_URL", broker.WSSURL)
	os.Setenv("MQTTWS_CA_FILE", broker.CAPEMPath)
	return m.Run()
}
