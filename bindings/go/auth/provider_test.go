package auth_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The local OpenID provider of tests/provider: AUTH_TEST_ISSUER when the
// caller started one (the CTest runner does), else one started here.
var issuer string

// Fixtures of tests/provider/README.md, not secrets.
const (
	basicClientID     = "basic-client"
	basicClientSecret = "s3cr+t:%/= with space"
	postClientID      = "post-client"
	postClientSecret  = "post-secret-123"
)

func TestMain(m *testing.M) {
	issuer = os.Getenv("AUTH_TEST_ISSUER")
	var stop func()
	if issuer == "" {
		var err error
		issuer, stop, err = startProvider()
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannot start the local provider:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if stop != nil {
		stop()
	}
	os.Exit(code)
}

func startProvider() (string, func(), error) {
	node := os.Getenv("AUTH_NODE")
	if node == "" {
		node = "node"
	}
	script, err := filepath.Abs("../../../tests/provider/provider.mjs")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(node, script, "--port", "0")
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}

	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
	}()
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, "ISSUER ") {
			stop()
			return "", nil, fmt.Errorf("unexpected first line %q", line)
		}
		return strings.TrimSpace(strings.TrimPrefix(line, "ISSUER ")), stop, nil
	case <-time.After(20 * time.Second):
		stop()
		return "", nil, fmt.Errorf("not ready within 20 s")
	}
}

// tokenRequests is how many requests the provider's token endpoint has
// received so far.
func tokenRequests(t *testing.T) int {
	t.Helper()
	resp, err := http.Get(issuer + "/_test/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var stats struct {
		TokenRequests int `json:"token_requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		t.Fatal(err)
	}
	return stats.TokenRequests
}
