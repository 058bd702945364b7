package auth_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"auth.invalid/go/auth"
)

func newBasicClient(t *testing.T, opts ...auth.Option) *auth.Client {
	t.Helper()
	c, err := auth.NewClientCredentials(basicClientID, basicClientSecret, issuer+"/token", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// authError asserts that err is an *auth.Error and returns it.
func authError(t *testing.T, err error) *auth.Error {
	t.Helper()
	var e *auth.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *auth.Error", err, err)
	}
	return e
}

func TestTokenWithBasicAuthCarriesTypeScopeAndExpiry(t *testing.T) {
	c := newBasicClient(t, auth.WithScope("api:read api:write"))
	before := time.Now()

	tok, err := c.Token(context.Background())

	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Scope != "api:read api:write" {
		t.Fatalf("got type %q scope %q, token of %d bytes", tok.TokenType, tok.Scope, len(tok.AccessToken))
	}
	// The provider issues tokens for 600 s.
	if life := tok.ExpiresAt.Sub(before); life < 590*time.Second || life > 610*time.Second {
		t.Fatalf("token lives %v, want about 600 s", life)
	}
}

func TestSecondTokenCallIsServedFromTheCache(t *testing.T) {
	c := newBasicClient(t)
	first, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	requests := tokenRequests(t)

	second, err := c.Token(context.Background())

	if err != nil {
		t.Fatal(err)
	}
	if second.AccessToken != first.AccessToken {
		t.Fatal("second call returned a different token")
	}
	if n := tokenRequests(t) - requests; n != 0 {
		t.Fatalf("second call sent %d token requests, want 0", n)
	}
}

func TestTokenForceFetchesANewToken(t *testing.T) {
	c := newBasicClient(t)
	first, err := c.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	requests := tokenRequests(t)

	forced, err := c.TokenForce(context.Background())

	if err != nil {
		t.Fatal(err)
	}
	if forced.AccessToken == first.AccessToken {
		t.Fatal("TokenForce returned the cached token")
	}
	if n := tokenRequests(t) - requests; n != 1 {
		t.Fatalf("TokenForce sent %d token requests, want 1", n)
	}
}

func TestClientSecretPostClientGetsAToken(t *testing.T) {
	c, err := auth.NewClientCredentials(postClientID, postClientSecret, issuer+"/token",
		auth.WithAuthMethod(auth.ClientSecretPost))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if _, err := c.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestWrongSecretIsAnOAuthInvalidClientError(t *testing.T) {
	c, err := auth.NewClientCredentials(basicClientID, "not-the-secret", issuer+"/token")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	_, err = c.Token(context.Background())

	e := authError(t, err)
	if e.Status != auth.StatusOAuth || e.OAuthError != "invalid_client" || e.HTTPStatus != 401 {
		t.Fatalf("got status %v, OAuth error %q, HTTP %d; want OAuth invalid_client 401",
			e.Status, e.OAuthError, e.HTTPStatus)
	}
	if !errors.Is(err, auth.StatusOAuth) {
		t.Fatal("errors.Is(err, auth.StatusOAuth) is false")
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("the error message shows the client secret")
	}
}

func TestFetchOIDCDiscoveryReadsTheProvidersDocument(t *testing.T) {
	md, err := auth.FetchOIDCDiscovery(context.Background(), issuer)

	if err != nil {
		t.Fatal(err)
	}
	if md.Issuer != issuer || md.TokenEndpoint != issuer+"/token" {
		t.Fatalf("issuer %q, token endpoint %q", md.Issuer, md.TokenEndpoint)
	}
	if md.JWKSURI == "" || !strings.Contains(md.RawJSON, `"token_endpoint"`) {
		t.Fatalf("jwks_uri %q, raw JSON of %d bytes", md.JWKSURI, len(md.RawJSON))
	}
}

func TestClientFromIssuerUsesTheDiscoveredTokenEndpoint(t *testing.T) {
	c, err := auth.NewClientCredentialsFromIssuer(context.Background(), issuer,
		basicClientID, basicClientSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if got := c.TokenEndpoint(); got != issuer+"/token" {
		t.Fatalf("token endpoint %q", got)
	}
	if _, err := c.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestPlainHTTPToANonLoopbackHostIsAnInvalidArgument(t *testing.T) {
	// The constructor sends nothing: the URL is refused as it is.
	_, err := auth.NewClientCredentials("id", "secret", "http://idp.example/token")

	if e := authError(t, err); e.Status != auth.StatusInvalidArgument {
		t.Fatalf("status %v, want StatusInvalidArgument", e.Status)
	}
}

func TestSecretWithANULByteIsRefusedWithoutShowingIt(t *testing.T) {
	_, err := auth.NewClientCredentials("id", "abc\x00hidden", issuer+"/token")

	e := authError(t, err)
	if e.Status != auth.StatusInvalidArgument || !strings.Contains(e.Message, "client secret") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), "hidden") {
		t.Fatal("the error message shows the secret")
	}
}

func TestZeroTimeoutIsAnInvalidArgument(t *testing.T) {
	_, err := auth.NewClientCredentials("id", "secret", issuer+"/token", auth.WithTimeout(0))

	if e := authError(t, err); e.Status != auth.StatusInvalidArgument {
		t.Fatalf("status %v, want StatusInvalidArgument", e.Status)
	}
}

func TestUnknownScopeCharacterIsRefusedByTheLibrary(t *testing.T) {
	// RFC 6749 section 3.3 allows no double quote in a scope.
	_, err := auth.NewClientCredentials("id", "secret", issuer+"/token", auth.WithScope(`a"b`))

	if e := authError(t, err); e.Status != auth.StatusInvalidArgument {
		t.Fatalf("status %v, want StatusInvalidArgument", e.Status)
	}
}

func TestCanceledContextSendsNoRequest(t *testing.T) {
	c := newBasicClient(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	requests := tokenRequests(t)

	_, err := c.Token(ctx)

	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if n := tokenRequests(t) - requests; n != 0 {
		t.Fatalf("%d token requests sent, want 0", n)
	}
}

func TestContextEndingDuringACallReturnsAtOnce(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"late","token_type":"Bearer","expires_in":60}`)
	}))
	defer slow.Close()
	c, err := auth.NewClientCredentials("id", "secret", slow.URL+"/token", auth.WithTimeout(5*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Runs first: lets the abandoned request finish, so Close need not wait.
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()

	_, err = c.Token(ctx)

	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited > time.Second {
		t.Fatalf("returned after %v, long after the deadline", waited)
	}
}

func TestCallsAfterCloseReturnErrClosed(t *testing.T) {
	c, err := auth.NewClientCredentials(basicClientID, basicClientSecret, issuer+"/token")
	if err != nil {
		t.Fatal(err)
	}
	c.Close()

	_, err = c.Token(context.Background())

	if !errors.Is(err, auth.ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}

func TestPrintingATokenLeavesTheAccessTokenOut(t *testing.T) {
	tok, err := newBasicClient(t).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	for _, text := range []string{
		fmt.Sprint(tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%v", &tok),
		fmt.Sprintf("%#v", tok), fmt.Sprintf("%#v", &tok),
	} {
		if strings.Contains(text, tok.AccessToken) {
			t.Fatalf("%q shows the access token", text)
		}
	}
}

func TestVersionIsTheCrateVersion(t *testing.T) {
	manifest, err := os.ReadFile("../../../Cargo.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^version = "([^"]+)"`).FindSubmatch(manifest)
	if m == nil {
		t.Fatal("no version in Cargo.toml")
	}

	if got := auth.Version(); got != string(m[1]) {
		t.Fatalf("Version() = %q, Cargo.toml says %q", got, m[1])
	}
}

// unusedLoopbackPort is a port on 127.0.0.1 that nothing listens on.
func unusedLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}
