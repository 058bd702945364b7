#!/usr/bin/env bash
# The benchmark: the C API of libauth (bench/c_bench.c) and Go's
# golang.org/x/oauth2/clientcredentials (bench/goclient) side by side, in one
# run, against one loopback token endpoint (bench/server); prints each figure
# for both and the ratio, next to the target.
#
#   bench/run.sh              the full run (about a minute)
#   bench/run.sh --quick      smaller counts, to try the script
#   bench/run.sh --valgrind   only the C program, under valgrind's leak check,
#                             at reduced counts; exits non-zero on any error
#
# Needs cargo, a C compiler, go with Debian's golang-golang-x-oauth2-dev
# (built with GOPATH=/usr/share/gocode GO111MODULE=off) and, for
# --valgrind, valgrind. Builds into $AUTH_BENCH_DIR (default target/bench).
# Everything listens on and talks to 127.0.0.1 only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${AUTH_BENCH_DIR:-$root/target/bench}
mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  --valgrind) mode=valgrind ;;
  *) echo "usage: bench/run.sh [--quick | --valgrind]" >&2; exit 2 ;;
esac
mkdir -p "$out"

# Build: the release library, the C program against it, the Go programs.
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
lib="${CARGO_TARGET_DIR:-$root/target}/release"
"${CC:-cc}" -O2 -std=c11 -Wall -Wextra -Wpedantic -Werror -pthread \
  -I"$root/include" "$root/bench/c_bench.c" -o "$out/c_bench" \
  -L"$lib" -lauth -Wl,-rpath,"$lib"
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=
# Go's own build cache, shared with other Go builds, unless there is none.
if [ -z "$(go env GOCACHE 2>/dev/null)" ]; then
  export GOCACHE="$out/gocache"
fi
(cd "$root/bench/server" && go build -o "$out/server" .)
if [ "$mode" != valgrind ]; then
  (cd "$root/bench/goclient" && go build -o "$out/goclient" .)
fi

# The endpoint: it exits when its standard input, this script's pipe, closes.
coproc SERVER { exec "$out/server"; }
server_pid=$SERVER_PID
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
listen=
read -r listen <&"${SERVER[0]}" || true
url=${listen#LISTEN }
case "$url" in
  http://127.0.0.1:*) ;;
  *) echo "bench/run.sh: the endpoint did not start: $listen" >&2; exit 1 ;;
esac

case "$mode" in
  full) counts=(--cached 5000000 --rounds 5 --forced 3000 --cycles 1000000 --stampede 64) ;;
  quick) counts=(--cached 500000 --rounds 2 --forced 300 --cycles 1000000 --stampede 64) ;;
  valgrind) counts=(--cached 20000 --rounds 1 --forced 20 --cycles 20000 --stampede 64) ;;
esac

if [ "$mode" = valgrind ]; then
  valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,possible \
    --error-exitcode=1 "$out/c_bench" --url "$url" "${counts[@]}"
  exit
fi

"$out/c_bench" --url "$url" "${counts[@]}" > "$out/ours.txt"
"$out/goclient" --url "$url" "${counts[@]}" > "$out/go.txt"

# The table: one line per figure, ours, Go's, ours over Go's, the target.
awk '
  FNR == NR { ours[$1] = $2; next }
  { go[$1] = $2 }
  function row(label, key, fmt, target, met) {
    ratio = go[key] > 0 && ours[key] >= 0 ? sprintf("%.2f", ours[key] / go[key]) : "-"
    status = target == "" ? "" : met ? "met" : "NOT MET"
    printf "%-44s %14" fmt " %14" fmt " %7s  %-22s %s\n", label, ours[key], go[key], ratio, target, status
  }
  END {
    printf "%-44s %14s %14s %7s  %-22s %s\n", "figure", "auth (C API)", "Go x/oauth2", "ratio", "target", ""
    row("cached get_token + free, 1 thread (ns)", "cached_ns", ".1f", "ratio <= 0.5", ours["cached_ns"] <= go["cached_ns"] / 2)
    row("cached calls/s, 1 thread", "one_thread_per_s", ".0f", "", 1)
    row("cached calls/s, 2 threads together", "two_threads_per_s", ".0f", "", 1)
    row("  2 threads over 1 thread (scaling)", "scaling", ".2f", "auth >= 1.8", ours["scaling"] >= 1.8)
    row("  CPU time per call, 2 threads (ns)", "two_threads_cpu_ns", ".1f", "", 1)
    row("  cores busy during the 2 threads (of 2)", "two_threads_cores_busy", ".2f", "", 1)
    row("forced fetch, kept-alive loopback (us)", "forced_us", ".1f", "ratio <= 1.0", ours["forced_us"] <= go["forced_us"])
    row("requests seen, 64 threads, expired cache", "stampede_requests", "d", "auth exactly 1", ours["stampede_requests"] == 1)
    row("RSS growth, 1,000,000 get/free (KiB)", "rss_growth_kib", "d", "auth < 1024", ours["rss_growth_kib"] < 1024)
  }
' "$out/ours.txt" "$out/go.txt"
echo
echo "counts: ${counts[*]}; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
