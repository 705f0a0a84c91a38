#!/usr/bin/env bash
# Build Scripts/bin/perf_peer (the Qpid Proton C proactor throughput peer of
# Scripts/bench-vs-proton.sh) with gcc -O2, only when it is missing or older than its source
# (or than this script). Needs libqpid-proton11-dev and pkg-config (Scripts/install-deps.sh).
# Prints the path of the binary.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/Scripts/bin"
source="$here/perf_peer.c"
binary="$out/perf_peer"
mkdir -p "$out"

if [ ! -x "$binary" ] || [ "$source" -nt "$binary" ] || [ "$here/build-perf-peer.sh" -nt "$binary" ]; then
  flags=$(pkg-config --cflags --libs libqpid-proton) || {
    echo "build-perf-peer: pkg-config cannot find libqpid-proton (apt-get install -y libqpid-proton11-dev pkg-config)" >&2
    exit 1
  }
  CC=${CC:-gcc}
  # shellcheck disable=SC2086
  "$CC" -O2 -std=c11 -Wall -Wextra -o "$binary.tmp.$$" "$source" $flags -lpthread
  mv -f "$binary.tmp.$$" "$binary"
fi
echo "$binary"
