#!/bin/sh
# Builds the fuzz targets with libFuzzer's coverage instrumentation on a
# stable toolchain, and runs one.
#
#   fuzz/fuzz.sh build
#   fuzz/fuzz.sh run TARGET [libFuzzer options...]
#   fuzz/fuzz.sh smoke TARGET SECONDS   (fresh scratch corpus, seeds read-only)
#
# The instrumentation is what cargo-fuzz passes with `--sanitizer none`:
# stable codegen options only. The explicit --target keeps it out of build
# scripts, which have no libFuzzer runtime to link against.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
host=$(rustc -vV | sed -n 's/^host: //p')
target_dir=${CARGO_TARGET_DIR:-$here/target}
bin=$target_dir/$host/release

build() {
    # Not --locked: a dependency the library gains must not break this
    # build; cargo then adds it to fuzz/Cargo.lock, and that is committed.
    RUSTFLAGS="--cfg fuzzing \
-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
-Cllvm-args=-sanitizer-coverage-stack-depth" \
    cargo build --release --manifest-path "$here/Cargo.toml" \
        --target "$host" --target-dir "$target_dir" --bins
}

dict_for() {
    if [ -f "$here/dict/$1.dict" ]; then
        echo "-dict=$here/dict/$1.dict"
    fi
}

case "${1:-}" in
build)
    build
    ;;
run)
    target=$2
    shift 2
    mkdir -p "$here/corpus/$target"
    # shellcheck disable=SC2046
    exec "$bin/$target" $(dict_for "$target") "$@" "$here/corpus/$target"
    ;;
smoke)
    target=$2
    seconds=$3
    scratch=$target_dir/smoke-corpus/$target
    rm -rf "$scratch"
    mkdir -p "$scratch"
    # New inputs go to the scratch directory (the first one); the committed
    # seeds are only read. A crash makes libFuzzer exit non-zero.
    # shellcheck disable=SC2046
    exec "$bin/$target" $(dict_for "$target") -max_total_time="$seconds" \
        -artifact_prefix="$target_dir/smoke-" -print_final_stats=1 \
        "$scratch" "$here/corpus/$target"
    ;;
*)
    echo "usage: $0 build | run TARGET [options] | smoke TARGET SECONDS" >&2
    exit 2
    ;;
esac
