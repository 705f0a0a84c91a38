#!/usr/bin/env bash
# Times AMQPCore's message codec against Qpid Proton C's, side by side, on the same inputs.
#
#   Scripts/bench-codec-vs-proton.sh [ROUNDS]
#
# Builds Scripts/bin/codec_bench (Proton C, -O2; needs libqpid-proton11-dev) and the
# CodecTimer executable of Benchmarks/ (-c release), writes the input files with
# Scripts/proton/make_bench_inputs.py (/usr/bin/python3 + python3-qpid-proton) into a
# temporary folder, then runs both programs interleaved (swift, proton, swift, proton, ...)
# for ROUNDS rounds (default 3). Each run reports the best of 5 repetitions; the table shows
# the median over the rounds and the ratio proton/swift (> 1: AMQPCore is faster).
#
# Exits non-zero only on functional errors: a build fails, an input cannot be made, a program
# crashes or reports a decode/encode failure, or its output cannot be read. Timings never
# fail the script: on a shared 2-core machine they vary by tens of percent between runs.
set -euo pipefail

rounds=${1:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "bench-codec-vs-proton: $*" >&2
    exit 1
}

echo "== building Proton codec_bench"
proton_bin=$(sh "$root/Scripts/proton/build-codec-bench.sh" | tail -n 1) \
    || fail "building codec_bench failed (apt-get install -y libqpid-proton11-dev)"
[ -x "$proton_bin" ] || fail "codec_bench was not built"

echo "== building CodecTimer (release)"
(cd "$root/Benchmarks" && swift build -c release --product CodecTimer >"$work/build.log" 2>&1) \
    || { cat "$work/build.log" >&2; fail "building CodecTimer failed"; }
swift_bin="$(cd "$root/Benchmarks" && swift build -c release --show-bin-path)/CodecTimer"
[ -x "$swift_bin" ] || fail "CodecTimer was not built"

echo "== making inputs"
/usr/bin/python3 "$root/Scripts/proton/make_bench_inputs.py" "$work/inputs" \
    || fail "make_bench_inputs.py failed (apt-get install -y python3-qpid-proton)"

# case name | swift mode | proton mode | input file | iterations per repetition
# decode-lazy has no Proton counterpart: pn_message_decode always decodes every section, so
# it is compared with Proton's (full) decode, i.e. what a Proton user pays to get the body.
cases=(
    "decode 1KiB|decode|decode|message-1k.bin|20000"
    "decode 64KiB|decode|decode|message-64k.bin|20000"
    "decode-lazy 1KiB (vs proton decode)|decode-lazy|decode|message-1k.bin|20000"
    "decode-lazy 64KiB (vs proton decode)|decode-lazy|decode|message-64k.bin|20000"
    "decode-pick 1KiB (2 app props, vs proton decode)|decode-pick|decode|message-1k.bin|20000"
    "encode 1KiB|encode|encode|message-1k.bin|20000"
    "encode 64KiB|encode|encode|message-64k.bin|5000"
    "frame-decode 1KiB|frame-decode|frame-decode|transfer-1k.bin|20000"
    "frame-decode 64KiB|frame-decode|frame-decode|transfer-64k.bin|20000"
    "frame-decode-lazy 1KiB (vs proton frame)|frame-decode-lazy|frame-decode|transfer-1k.bin|20000"
    "frame-decode-lazy 64KiB (vs proton frame)|frame-decode-lazy|frame-decode|transfer-64k.bin|20000"
)

# run SIDE BINARY MODE FILE ITER -> appends "ns" to $work/results/<case index>.<side>
run() {
    local side=$1 bin=$2 mode=$3 file=$4 iterations=$5 index=$6 output ns
    if ! output=$("$bin" "$mode" "$work/inputs/$file" "$iterations" 2>"$work/stderr"); then
        cat "$work/stderr" >&2
        fail "$side $mode $file failed"
    fi
    ns=$(printf '%s\n' "$output" | sed -n "s/^$side $mode ns\/op=\([0-9.]*\).*/\1/p")
    [ -n "$ns" ] || fail "cannot read the output of $side $mode $file: $output"
    echo "$ns" >>"$work/results/$index.$side"
}

mkdir -p "$work/results"
for round in $(seq 1 "$rounds"); do
    echo "== round $round/$rounds"
    for index in "${!cases[@]}"; do
        IFS='|' read -r name swift_mode proton_mode file iterations <<<"${cases[$index]}"
        run swift "$swift_bin" "$swift_mode" "$file" "$iterations" "$index"
        run proton "$proton_bin" "$proton_mode" "$file" "$iterations" "$index"
        printf '  %-38s swift %10s  proton %10s ns/op\n' "$name" \
            "$(tail -n 1 "$work/results/$index.swift")" "$(tail -n 1 "$work/results/$index.proton")"
    done
done

median() {
    sort -g "$1" | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo
echo "Median of $rounds rounds (each the best of 5 repetitions); ratio > 1 means AMQPCore is faster."
echo
printf '| %-38s | %12s | %13s | %13s |\n' "case" "swift ns/op" "proton ns/op" "proton/swift"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..40})" "$(printf -- '-%.0s' {1..14})" \
    "$(printf -- '-%.0s' {1..15})" "$(printf -- '-%.0s' {1..15})"
for index in "${!cases[@]}"; do
    IFS='|' read -r name _ _ _ _ <<<"${cases[$index]}"
    swift_ns=$(median "$work/results/$index.swift")
    proton_ns=$(median "$work/results/$index.proton")
    ratio=$(awk -v s="$swift_ns" -v p="$proton_ns" 'BEGIN { if (s > 0) printf "%.2f", p / s; else print "n/a" }')
    printf '| %-38s | %12.1f | %13.1f | %13s |\n' "$name" "$swift_ns" "$proton_ns" "$ratio"
done
