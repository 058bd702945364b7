#!/usr/bin/env bash
# Checks of the built or installed library, one per CTest test:
#
#   check-library.sh exports-only-auth NM LIBRARY
#       every defined dynamic symbol is an auth_* function of the API, and
#       there is at least one
#   check-library.sh exports-header NM LIBRARY HEADER
#       every function the header declares is exported
#   check-library.sh soname READELF LIBRARY SONAME
#       the dynamic section records exactly that SONAME
#   check-library.sh layout PREFIX LIBDIR INCLUDEDIR SHARED_FILE SONAME
#       the installed files exist and the links point down the chain
#       libauth.so -> SONAME -> SHARED_FILE
set -euo pipefail

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

defined_dynamic_symbols() {
    "$1" -D --defined-only "$2" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' | sort -u
}

check=$1
shift
case $check in
exports-only-auth)
    nm=$1 library=$2
    symbols=$(defined_dynamic_symbols "$nm" "$library")
    [[ -n $symbols ]] || fail "$library exports no symbols at all"
    others=$(grep -v '^auth_' <<<"$symbols" || true)
    if [[ -n $others ]]; then
        fail "$library exports symbols outside the auth_* API:"$'\n'"$others"
    fi
    echo "ok: $(wc -l <<<"$symbols") exported symbols, all auth_*"
    ;;
exports-header)
    nm=$1 library=$2 header=$3
    symbols=$(defined_dynamic_symbols "$nm" "$library")
    declared=$(grep -oE '\bauth_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
    [[ -n $declared ]] || fail "$header declares no auth_* function"
    missing=$(comm -23 <(echo "$declared") <(echo "$symbols"))
    if [[ -n $missing ]]; then
        fail "$library lacks functions that $header declares:"$'\n'"$missing"
    fi
    echo "ok: all $(wc -l <<<"$declared") functions of the header are exported"
    ;;
soname)
    readelf=$1 library=$2 expected=$3
    sonames=$("$readelf" -d "$library" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    [[ $sonames == "$expected" ]] ||
        fail "$library has SONAME '${sonames:-none}', expected '$expected'"
    echo "ok: SONAME $sonames"
    ;;
layout)
    prefix=$1 libdir=$prefix/$2 includedir=$prefix/$3 shared_file=$4 soname=$5
    for file in "$includedir/auth.h" "$includedir/module.modulemap" \
        "$libdir/$shared_file" "$libdir/libauth.a" \
        "$libdir/cmake/auth/authConfig.cmake" \
        "$libdir/cmake/auth/authConfigVersion.cmake" \
        "$libdir/pkgconfig/auth.pc"; do
        [[ -f $file && ! -L $file ]] || fail "$file is missing or not a regular file"
    done
    [[ $(readlink "$libdir/$soname") == "$shared_file" ]] ||
        fail "$libdir/$soname does not link to $shared_file"
    [[ $(readlink "$libdir/libauth.so") == "$soname" ]] ||
        fail "$libdir/libauth.so does not link to $soname"
    echo "ok: installed layout under $prefix"
    ;;
*)
    fail "unknown check '$check'"
    ;;
esac
