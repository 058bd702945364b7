// Command server is the loopback token endpoint that both benchmark clients
// call: a client credentials grant that always succeeds, counts the
// requests it answers, and can be told the lifetime of its tokens and a delay
// before each answer (to keep a fetch in flight while a stampede piles up).
//
//	POST /token                   a JSON token, expires_in as configured
//	GET  /stats                   the number of /token requests since reset
//	POST /reset?ttl=S&delay_ms=D  zero the count, set the lifetime and delay
//
// It listens on 127.0.0.1 only, on a free port, and prints
// "LISTEN http://127.0.0.1:PORT" once it accepts connections. It exits when
// its standard input is closed, so it never outlives the script that
// started it.
package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
	"time"
)

type endpoint struct {
	requests atomic.Int64
	ttl      atomic.Int64
	delayMs  atomic.Int64
}

func (e *endpoint) token(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	// Read the whole form so the connection can be kept alive.
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	if _, _, ok := r.BasicAuth(); !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	e.requests.Add(1)
	if d := e.delayMs.Load(); d > 0 {
		time.Sleep(time.Duration(d) * time.Millisecond)
	}

	var raw [24]byte
	rand.Read(raw[:])
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, `{"access_token":"%s","token_type":"Bearer","expires_in":%d,"scope":"api:read"}`,
		hex.EncodeToString(raw[:]), e.ttl.Load())
}

func (e *endpoint) stats(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "%d\n", e.requests.Load())
}

func (e *endpoint) reset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	ttl, delay := int64(3600), int64(0)
	if v, err := strconv.ParseInt(r.URL.Query().Get("ttl"), 10, 64); err == nil {
		ttl = v
	}
	if v, err := strconv.ParseInt(r.URL.Query().Get("delay_ms"), 10, 64); err == nil {
		delay = v
	}
	e.ttl.Store(ttl)
	e.delayMs.Store(delay)
	e.requests.Store(0)
	io.WriteString(w, "ok\n")
}

func main() {
	e := &endpoint{}
	e.ttl.Store(3600)
	mux := http.NewServeMux()
	mux.HandleFunc("/token", e.token)
	mux.HandleFunc("/stats", e.stats)
	mux.HandleFunc("/reset", e.reset)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Printf("LISTEN http://%s\n", ln.Addr())
	os.Stdout.Sync()

	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	srv := &http.Server{Handler: mux, IdleTimeout: 5 * time.Minute}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}
