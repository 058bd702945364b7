#!/usr/bin/env bash
# Runs a command while the local OpenID provider (tests/provider) is up.
#
#   run-with-provider.sh WORK_DIR COMMAND [ARG...]
#
# Starts `node tests/provider/provider.mjs --port 0 --issuer-file FILE` on
# 127.0.0.1, with FILE and the provider's log in WORK_DIR, and waits at most
# 20 s for it to be ready. Then it runs COMMAND with every `@ISSUER@` in its
# arguments replaced by the issuer URL, and with AUTH_TEST_ISSUER set to it.
# The provider is stopped whatever happens, and the exit status is
# COMMAND's (1 when the provider did not start).
#
# AUTH_NODE names the node binary (default: node from PATH).
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 WORK_DIR COMMAND [ARG...]" >&2
    exit 2
fi

work_dir=$1
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
provider_dir=$root/tests/provider
node=${AUTH_NODE:-node}

if ! command -v "$node" >/dev/null 2>&1; then
    echo "run-with-provider: '$node' not found; the local OpenID provider" \
         "needs Node.js >= 20" >&2
    exit 1
fi
if [[ ! -f $provider_dir/node_modules/oidc-provider/package.json ]]; then
    echo "run-with-provider: tests/provider has no node_modules;" \
         "run 'npm ci' in $provider_dir first" >&2
    exit 1
fi

mkdir -p "$work_dir"
issuer_file=$work_dir/issuer.$$
log_file=$work_dir/provider.$$.log
rm -f "$issuer_file"

"$node" "$provider_dir/provider.mjs" --port 0 --issuer-file "$issuer_file" \
    >"$log_file" 2>&1 &
provider_pid=$!

stop_provider() {
    if kill -0 "$provider_pid" 2>/dev/null; then
        kill -TERM "$provider_pid" 2>/dev/null || true
        wait "$provider_pid" 2>/dev/null || true
    fi
    rm -f "$issuer_file"
}
trap stop_provider EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 200 polls of 0.1 s: the provider is usually ready within a second.
for _ in $(seq 200); do
    [[ -s $issuer_file ]] && break
    if ! kill -0 "$provider_pid" 2>/dev/null; then
        echo "run-with-provider: the provider exited before it was ready:" >&2
        cat "$log_file" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ ! -s $issuer_file ]]; then
    echo "run-with-provider: the provider was not ready within 20 s:" >&2
    cat "$log_file" >&2
    exit 1
fi

issuer=$(<"$issuer_file")
export AUTH_TEST_ISSUER=$issuer
echo "run-with-provider: local OpenID provider at $issuer" >&2

args=()
for arg in "$@"; do
    args+=("${arg//@ISSUER@/$issuer}")
done

status=0
"${args[@]}" || status=$?
if [[ $status -ne 0 ]]; then
    echo "run-with-provider: command exited with status $status; provider log:" >&2
    cat "$log_file" >&2
fi
exit "$status"
