#!/usr/bin/env bash
# Memory over a long run: our sender sends 1,000,000 messages of 1 KiB to Qpid Proton's sink,
# and our receiver takes 1,000,000 from Proton's source, each as its own process, while this
# samples the process's resident set size (VmRSS) every 0.2 s. Prints the samples and the
# growth from the first sample after warm-up (0.6 s: connected, windows full) to the last: flat means no per-message
# leak or unbounded buffer.
#
#   Scripts/measure-rss.sh [COUNT]
#
# Needs Scripts/bin/perf_peer (Scripts/proton/build-perf-peer.sh) and the release `amqp`.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
bash Scripts/proton/build-perf-peer.sh >/dev/null
swift build -c release --product amqp >/dev/null 2>&1
amqp=.build/release/amqp
peer=Scripts/bin/perf_peer
sink_port=5871
source_port=5872
"$peer" sink 127.0.0.1 "$sink_port" >/dev/null 2>&1 &
sink=$!
"$peer" source 127.0.0.1 "$source_port" 1024 >/dev/null 2>&1 &
source=$!
trap 'kill "$sink" "$source" 2>/dev/null || true' EXIT
python3 Scripts/peers/wait-amqp.py 127.0.0.1 "$sink_port" 10 >/dev/null
python3 Scripts/peers/wait-amqp.py 127.0.0.1 "$source_port" 10 >/dev/null

# measure NAME COMMAND...: runs the command, samples its RSS, prints a summary line.
measure() {
    local name=$1
    shift
    "$@" > ".build/rss-$name.out" 2>&1 &
    local pid=$! samples=() elapsed=0
    while kill -0 "$pid" 2>/dev/null; do
        rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        [ -n "$rss" ] && samples+=("$elapsed:$rss")
        sleep 0.2
        elapsed=$((elapsed + 200))
    done
    wait "$pid" || { echo "$name failed: $(cat ".build/rss-$name.out")"; return 1; }
    echo "$name: $(cat ".build/rss-$name.out")"
    printf '%s\n' "${samples[@]}" | python3 -c '
import sys
name = sys.argv[1]
points = [tuple(map(int, line.split(":"))) for line in sys.stdin if line.strip()]
steady = [rss for ms, rss in points if ms >= 600] or [rss for ms, rss in points]
print(f"  {name} RSS (KiB) every 0.2 s: " + " ".join(str(rss) for _, rss in points))
print(f"  {name} after warm-up: first {steady[0]} KiB, last {steady[-1]} KiB, max {max(steady)} KiB, "
      f"growth {steady[-1] - steady[0]:+d} KiB over {len(steady)} samples")
' "$name"
}

measure sender "$amqp" send --url "amqp://127.0.0.1:$sink_port" --count "$count" --size 1024 --json
measure receiver "$amqp" receive --url "amqp://127.0.0.1:$source_port" --count "$count" --credit 1000 --json
