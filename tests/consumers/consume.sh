#!/usr/bin/env bash
# Builds tests/consumers/app.c against an installed libauth, the way one
# kind of user would, and runs it against the local provider:
#
#   consume.sh MODE WORK_DIR ISSUER [README]
#
#   cmake-shared, cmake-static   tests/consumers/cmake: find_package(auth CONFIG)
#   pkg-config-shared            cc with pkg-config --cflags --libs auth
#   pkg-config-static            cc with pkg-config --static --cflags --libs auth
#   readme-cmake                 the README's `cmake_consumer` snippet
#   readme-pkg-config            the README's `pkg_config_shared` and
#                                `pkg_config_static` snippets
#   clang-module-auth            clang -fmodules: `@import Auth;` from the
#                                installed include/module.modulemap
#   clang-module-cauth           clang -fmodules: `@import CAuth;` from the
#                                Swift package's module map (SWIFT_PACKAGE)
#   go-test                      go test in the Go package (GO_PACKAGE)
#   readme-go                    the README's `go_example` snippet, built as
#                                a module of its own
#
# From the environment: AUTH_STAGE (the install prefix), AUTH_LIBDIR, CC,
# CMAKE, PKG_CONFIG, READELF, CLANG, GO, and AUTH_CLIENT_ID /
# AUTH_CLIENT_SECRET for the programs. Nothing from the source tree is used
# but the consumers themselves and the Go and Swift packages.
set -euo pipefail

mode=$1 work=$2 issuer=$3 readme=${4:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The loader must find libauth only where the test allows it.
unset LD_LIBRARY_PATH
export PKG_CONFIG_PATH=$AUTH_LIBDIR/pkgconfig
export PKG_CONFIG_LIBDIR=$AUTH_LIBDIR/pkgconfig

needed() {
    "$READELF" -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\].*/\1/p'
}

expect_shared() {
    needed "$1" | grep -qx 'libauth\.so\.[0-9]*' ||
        fail "$1 does not record libauth's SONAME as NEEDED: $(needed "$1" | tr '\n' ' ')"
}

expect_static() {
    if needed "$1" | grep -q '^libauth'; then
        fail "$1 was meant to be static but needs $(needed "$1" | grep '^libauth')"
    fi
}

run_app() {
    local out
    out=$("$@" "$issuer") || fail "$* $issuer exited with $?"
    echo "$out"
    grep -q "second call served from the cache" <<<"$out" || fail "unexpected output"
}

# The body of the fenced block that follows `<!-- snippet: NAME -->`.
snippet() {
    awk -v marker="<!-- snippet: $1 -->" '
        $0 == marker { armed = 1; next }
        armed && /^```/ { if (inside) exit; inside = 1; next }
        inside { print }
    ' "$readme"
}

cmake_project() {
    local source=$1 build=$2
    shift 2
    "$CMAKE" -S "$source" -B "$build" -DCMAKE_PREFIX_PATH="$AUTH_STAGE" \
        -DCMAKE_C_COMPILER="$CC" "$@" >"$build.configure.log" 2>&1 ||
        { cat "$build.configure.log" >&2; fail "configuring $source failed"; }
    "$CMAKE" --build "$build" || fail "building $source failed"
}

rm -rf "$work"
mkdir -p "$work"
cd "$work"

case $mode in
cmake-shared | cmake-static)
    cmake_project "$here/cmake" "$work/build" -DAUTH_LINK="${mode#cmake-}"
    if [[ $mode == cmake-shared ]]; then
        expect_shared build/app
    else
        expect_static build/app
    fi
    # No LD_LIBRARY_PATH: CMake's build RPATH must lead to the prefix.
    run_app build/app
    ;;
pkg-config-shared)
    flags=$("$PKG_CONFIG" --cflags --libs auth)
    echo "pkg-config --cflags --libs auth: $flags"
    # shellcheck disable=SC2086
    "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -o app "$here/app.c" $flags
    expect_shared app
    LD_LIBRARY_PATH=$AUTH_LIBDIR run_app ./app
    ;;
pkg-config-static)
    flags=$("$PKG_CONFIG" --static --cflags --libs auth)
    echo "pkg-config --static --cflags --libs auth: $flags"
    grep -q -- '-lpthread' <<<"$flags" || fail "Libs.private is missing from --static"
    # The prefix holds libauth.so too, which -lauth would pick: name the
    # archive instead.
    # shellcheck disable=SC2086
    "$CC" -std=c99 -Wall -Wextra -Werror -pedantic -o app "$here/app.c" \
        ${flags//-lauth/-l:libauth.a}
    expect_static app
    run_app ./app
    ;;
readme-cmake)
    code=$(snippet cmake_consumer)
    [[ -n $code ]] || fail "README has no cmake_consumer snippet"
    mkdir -p project
    printf '%s\n' "$code" >project/CMakeLists.txt
    cp "$here/app.c" project/app.c
    cmake_project "$work/project" "$work/build"
    expect_shared build/app
    run_app build/app
    ;;
readme-pkg-config)
    for name in pkg_config_shared pkg_config_static; do
        code=$(snippet $name)
        [[ -n $code ]] || fail "README has no $name snippet"
        printf '%s\n' "$code" >"$name.sh"
    done
    cp "$here/app.c" app.c
    bash -euo pipefail -x pkg_config_shared.sh
    expect_shared app
    LD_LIBRARY_PATH=$AUTH_LIBDIR run_app ./app
    bash -euo pipefail -x pkg_config_static.sh
    expect_static app-static
    run_app ./app-static
    ;;
clang-module-auth | clang-module-cauth)
    modules=$here/modules
    if [[ $mode == clang-module-auth ]]; then
        source=$modules/import_auth.m
        map_args=()
    else
        source=$modules/import_cauth.m
        map_args=("-fmodule-map-file=$SWIFT_PACKAGE/Sources/CAuth/module.modulemap")
    fi
    # As Swift sees it: the installed include directory on the path and the
    # module cache of this test's own. clang autolinks `link "auth"` only
    # on Apple and Windows, so the libraries are named explicitly.
    # shellcheck disable=SC2046
    "$CLANG" -fmodules -fmodules-cache-path="$work/module-cache" \
        -Werror -Wall -Wextra "${map_args[@]}" $("$PKG_CONFIG" --cflags auth) \
        -o app "$source" $("$PKG_CONFIG" --libs auth) "-Wl,-rpath,$AUTH_LIBDIR"
    expect_shared app
    out=$(./app "$issuer") || fail "./app $issuer exited with $?"
    echo "$out"
    grep -q "^imported module: " <<<"$out" || fail "unexpected output"
    ;;
go-test | readme-go)
    export GOPATH=${GOPATH:-$work/gopath} GOCACHE=${GOCACHE:-$work/gocache}
    # Standard library only: nothing is ever downloaded.
    export GOPROXY=off GOTOOLCHAIN=local CGO_ENABLED=1
    export LD_LIBRARY_PATH=$AUTH_LIBDIR
    if [[ $mode == go-test ]]; then
        cd "$GO_PACKAGE"
        "$GO" vet ./...
        "$GO" test -race -count=1 ./...
    else
        code=$(snippet go_example)
        [[ -n $code ]] || fail "README has no go_example snippet"
        mkdir -p app && cd app
        printf '%s\n' "$code" >main.go
        "$GO" mod init example.invalid/app
        "$GO" mod edit -require=auth.invalid/go/auth@v0.0.0 \
            -replace=auth.invalid/go/auth="$GO_PACKAGE"
        "$GO" build -o app .
        run_token=$(./app "$issuer") || fail "./app $issuer exited with $?"
        echo "$run_token"
        grep -q '^Bearer token (scope "api:read"' <<<"$run_token" || fail "unexpected output"
    fi
    ;;
*)
    fail "unknown mode '$mode'"
    ;;
esac
