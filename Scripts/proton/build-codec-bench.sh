#!/bin/sh
# Build Scripts/bin/codec_bench (Proton message codec benchmark) with -O2.
# Needs libqpid-proton11-dev:  apt-get install -y libqpid-proton11-dev
# Prints the path of the binary.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out="$root/Scripts/bin"
mkdir -p "$out"

CC=${CC:-cc}
if pkg-config --exists libqpid-proton-core 2>/dev/null; then
  flags=$(pkg-config --cflags --libs libqpid-proton-core)
elif pkg-config --exists libqpid-proton 2>/dev/null; then
  # Debian ships no libqpid-proton-core.pc / .so symlink; the full library
  # re-exports the core (codec, message) symbols.
  flags=$(pkg-config --cflags --libs libqpid-proton)
else
  flags="-lqpid-proton-core"
fi

# shellcheck disable=SC2086
"$CC" -O2 -std=c11 -Wall -Wextra -o "$out/codec_bench" "$here/codec_bench.c" $flags
echo "$out/codec_bench"
