// Command goclient measures golang.org/x/oauth2/clientcredentials on the
// same figures as bench/c_bench.c, against the same loopback endpoint, and
// prints them as "name value" lines for bench/run.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

var (
	base     = flag.String("url", "", "base URL of bench/server, http://127.0.0.1:PORT")
	cached   = flag.Int("cached", 5000000, "cached calls per thread per round")
	rounds   = flag.Int("rounds", 3, "rounds of the cached figures; the best is kept")
	forced   = flag.Int("forced", 2000, "forced fetches timed")
	cycles   = flag.Int("cycles", 1000000, "get cycles for the memory figure")
	stampede = flag.Int("stampede", 64, "goroutines calling at once on an expired cache")
)

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "goclient: "+format+"\n", args...)
	os.Exit(1)
}

func control(method, path string) string {
	req, _ := http.NewRequest(method, *base+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(body))
}

func config() *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID:     "bench-client",
		ClientSecret: "bench-secret",
		TokenURL:     *base + "/token",
		Scopes:       []string{"api:read"},
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
}

func mustToken(ts oauth2.TokenSource) *oauth2.Token {
	t, err := ts.Token()
	if err != nil {
		fail("token: %v", err)
	}
	return t
}

// cachedLoop makes n cached calls and returns how long they took.
func cachedLoop(ts oauth2.TokenSource, n int) time.Duration {
	start := time.Now()
	for i := 0; i < n; i++ {
		if t, err := ts.Token(); err != nil || t.AccessToken == "" {
			fail("cached token: %v", err)
		}
	}
	return time.Since(start)
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssKiB() int64 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		fail("read /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	fail("no VmRSS in /proc/self/status")
	return 0
}

func main() {
	flag.Parse()
	if *base == "" {
		fail("--url is required")
	}
	ctx := context.Background()
	control("POST", "/reset?ttl=3600")
	ts := config().TokenSource(ctx)
	mustToken(ts)

	// Cached calls, one goroutine, then two at once.
	best1, best2, best2CPU := time.Duration(1<<62), time.Duration(1<<62), time.Duration(0)
	for r := 0; r < *rounds; r++ {
		if d := cachedLoop(ts, *cached); d < best1 {
			best1 = d
		}
		var wg sync.WaitGroup
		start, startCPU := time.Now(), cpuTime()
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() { defer wg.Done(); cachedLoop(ts, *cached) }()
		}
		wg.Wait()
		if d := time.Since(start); d < best2 {
			best2, best2CPU = d, cpuTime()-startCPU
		}
	}
	ns1 := float64(best1.Nanoseconds()) / float64(*cached)
	rate1 := 1e9 / ns1
	rate2 := float64(2**cached) / best2.Seconds()
	fmt.Printf("cached_ns %.2f\n", ns1)
	fmt.Printf("one_thread_per_s %.0f\n", rate1)
	fmt.Printf("two_threads_per_s %.0f\n", rate2)
	fmt.Printf("scaling %.2f\n", rate2/rate1)
	fmt.Printf("two_threads_cpu_ns %.2f\n", float64(best2CPU.Nanoseconds())/float64(2**cached))
	fmt.Printf("two_threads_cores_busy %.2f\n", best2CPU.Seconds()/best2.Seconds())

	// Forced fetches: Config.Token always asks the endpoint, over
	// http.DefaultClient's kept-alive connection.
	conf := config()
	for i := 0; i < 50; i++ {
		if _, err := conf.Token(ctx); err != nil {
			fail("forced token: %v", err)
		}
	}
	start := time.Now()
	for i := 0; i < *forced; i++ {
		if _, err := conf.Token(ctx); err != nil {
			fail("forced token: %v", err)
		}
	}
	fmt.Printf("forced_us %.1f\n", float64(time.Since(start).Microseconds())/float64(*forced))

	// Memory over many cached calls, after the above warmed everything up.
	runtime.GC()
	before := rssKiB()
	for i := 0; i < *cycles; i++ {
		mustToken(ts)
	}
	fmt.Printf("rss_growth_kib %d\n", rssKiB()-before)

	// Stampede: a token that has already expired (1 s is inside the
	// library's 10 s expiry delta), then many callers at once while each
	// answer takes 50 ms.
	control("POST", "/reset?ttl=1")
	sts := config().TokenSource(ctx)
	mustToken(sts)
	time.Sleep(1100 * time.Millisecond)
	control("POST", "/reset?ttl=3600&delay_ms=50")
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	for g := 0; g < *stampede; g++ {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			mustToken(sts)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
	fmt.Printf("stampede_requests %s\n", control("GET", "/stats"))
	control("POST", "/reset?ttl=3600")
}
