package auth_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"auth.invalid/go/auth"
)

// Goroutines move between OS threads, within and between calls: each must
// still get the result of its own call. Five clients that fail or succeed
// each in their own way are used from many goroutines at once; every result
// must be the one of its client.
func TestEachGoroutineGetsItsOwnClientsResult(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))

	type expect struct {
		status     auth.Status
		oauthError string
		httpStatus int
	}
	mustClient := func(id, secret, endpoint string, opts ...auth.Option) *auth.Client {
		c, err := auth.NewClientCredentials(id, secret, endpoint, opts...)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	refused := fmt.Sprintf("http://127.0.0.1:%d/token", unusedLoopbackPort(t))
	cases := []struct {
		name   string
		client *auth.Client
		want   expect
		calls  int
	}{
		{"basic", mustClient(basicClientID, basicClientSecret, issuer+"/token"),
			expect{auth.StatusOK, "", 0}, 12},
		{"post", mustClient(postClientID, postClientSecret, issuer+"/token",
			auth.WithAuthMethod(auth.ClientSecretPost)),
			expect{auth.StatusOK, "", 0}, 12},
		{"wrong secret", mustClient(basicClientID, "wrong", issuer+"/token"),
			expect{auth.StatusOAuth, "invalid_client", 401}, 12},
		{"no such endpoint", mustClient(basicClientID, basicClientSecret, issuer+"/no-token-here"),
			expect{auth.StatusHTTP, "", 404}, 12},
		{"connection refused", mustClient(basicClientID, basicClientSecret, refused,
			auth.WithTimeout(3*time.Second)),
			expect{auth.StatusTransport, "", 0}, 2},
	}

	const goroutinesPerClient = 8
	var wg sync.WaitGroup
	failures := make(chan string, 1000)
	for _, tc := range cases {
		for g := 0; g < goroutinesPerClient; g++ {
			wg.Add(1)
			go func(name string, c *auth.Client, want expect, calls, g int) {
				defer wg.Done()
				for i := 0; i < calls; i++ {
					// Forced calls each reach the library's network code,
					// so that failures really happen concurrently.
					var err error
					if (g+i)%2 == 0 {
						_, err = c.TokenForce(context.Background())
					} else {
						_, err = c.Token(context.Background())
					}
					runtime.Gosched()

					got := expect{auth.StatusOK, "", 0}
					var e *auth.Error
					if errors.As(err, &e) {
						got = expect{e.Status, e.OAuthError, e.HTTPStatus}
					} else if err != nil {
						got.status = auth.StatusInternal
					}
					if got != want {
						failures <- fmt.Sprintf("%s, goroutine %d, call %d: got %+v (%v), want %+v",
							name, g, i, got, err, want)
					}
				}
			}(tc.name, tc.client, tc.want, tc.calls, g)
		}
	}
	wg.Wait()
	close(failures)

	for f := range failures {
		t.Error(f)
	}
}

// Close waits for calls in flight instead of freeing the handle under
// them, and every later call sees ErrClosed.
func TestCloseDuringConcurrentCallsIsSafe(t *testing.T) {
	c, err := auth.NewClientCredentials(basicClientID, basicClientSecret, issuer+"/token")
	if err != nil {
		t.Fatal(err)
	}

	var wg sync.WaitGroup
	unexpected := make(chan error, 100)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := c.TokenForce(context.Background()); err != nil && !errors.Is(err, auth.ErrClosed) {
					unexpected <- err
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	c.Close()
	wg.Wait()
	close(unexpected)

	for err := range unexpected {
		t.Error(err)
	}
	if _, err := c.Token(context.Background()); !errors.Is(err, auth.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
