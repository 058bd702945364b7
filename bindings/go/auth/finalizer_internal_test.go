package auth

import (
	"runtime"
	"testing"
	"time"
)

func TestUnreachableClientIsFreedByItsFinalizer(t *testing.T) {
	freed := make(chan struct{}, 1)
	finalized = func() { freed <- struct{}{} }
	defer func() { finalized = nil }()

	func() {
		// No request is made: the client is only created and dropped.
		if _, err := NewClientCredentials("id", "secret", "http://127.0.0.1:9/token"); err != nil {
			t.Fatal(err)
		}
	}()

	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		select {
		case <-freed:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatal("the finalizer did not free the dropped client")
}
