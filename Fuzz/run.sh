#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each one.
#
#   Fuzz/run.sh [SECONDS]    fuzz every target for SECONDS (default 60) each
#   Fuzz/run.sh --selftest   prove AddressSanitizer and libFuzzer instrumentation are on
#
# Each target starts from Seeds/<Target>/ (committed) and Fuzz/corpus/<Target>/ (git-ignored,
# grows across runs). Crashing inputs land in Fuzz/artifacts/<Target>/ and are copied into
# FailCases/<Target>/, which the test suite replays (FailCaseReplayTests); the script then
# exits non-zero. Rename a copied input for what it shows once the bug is understood.
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(FuzzFrameDecoder FuzzValueDecoder FuzzMessageDecoder FuzzEnvelopeDecoder)
BIN=.build-fuzz/release
# Swift's own crash backtracer trips ASan and hides libFuzzer's report; libFuzzer prints the stack.
export SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}"

build() {
    local start=$SECONDS attempt log
    log=$(mktemp)
    for attempt in 1 2 3; do
        # Exactly these flags: `--sanitize=fuzzer --sanitize=address` keeps only the last one,
        # and `-Xswiftc` alone links a binary that exits at once.
        if swift build -c release --scratch-path .build-fuzz --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address \
            2>&1 | tee "$log"; then
            rm -f "$log"
            echo "build: $((SECONDS - start)) s"
            return
        fi
        # Sources edited while compiling: try again on the settled files.
        grep -q "was modified during the build" "$log" || break
        echo "sources changed during the build (attempt $attempt); retrying in 30 s"
        sleep 30
    done
    rm -f "$log"
    echo "build failed" >&2
    exit 1
}

selftest() {
    build
    local log
    log=$(mktemp)
    local rc=0
    FUZZ_SELFTEST=1 "$BIN/FuzzValueDecoder" -runs=1 -artifact_prefix="$(dirname "$log")/selftest-" >"$log" 2>&1 || rc=$?
    local counters
    counters=$(sed -n 's/.*Loaded [0-9]* modules *(\([0-9]*\) inline 8-bit counters).*/\1/p' "$log" | head -1)
    if [[ $rc -ne 0 ]] && grep -q "ERROR: AddressSanitizer: heap-buffer-overflow" "$log" && [[ ${counters:-0} -gt 0 ]]; then
        echo "selftest: ok (deliberate out-of-bounds read caught by AddressSanitizer, exit $rc; ${counters} coverage counters)"
        rm -f "$log"
    else
        echo "selftest: FAILED (exit $rc, coverage counters: ${counters:-none}); log:"
        cat "$log"
        exit 1
    fi
}

stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

fuzz() {
    local seconds=$1 failed=0
    build
    for target in "${TARGETS[@]}"; do
        local artifacts=artifacts/$target log=artifacts/$target.log
        rm -rf "$artifacts"
        mkdir -p "corpus/$target" "$artifacts" "FailCases/$target"
        local before
        before=$(find "corpus/$target" -type f | wc -l)
        local start=$SECONDS rc=0
        "$BIN/$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$artifacts/" "corpus/$target" "Seeds/$target" >"$log" 2>&1 || rc=$?
        local elapsed=$((SECONDS - start))
        local execs rate added crashes=0
        execs=$(stat number_of_executed_units "$log")
        rate=$(stat average_exec_per_sec "$log")
        added=$(stat new_units_added "$log")
        [[ -n $added ]] || added=$(( $(find "corpus/$target" -type f | wc -l) - before ))
        for file in "$artifacts"/crash-* "$artifacts"/leak-* "$artifacts"/timeout-* "$artifacts"/oom-*; do
            [[ -e $file ]] || continue
            cp "$file" "FailCases/$target/"
            crashes=$((crashes + 1))
        done
        echo "fuzz $target: ${execs:-?} execs in $elapsed s (${rate:-?}/s), $added new corpus units, crashes: $crashes"
        if [[ $crashes -gt 0 || $rc -ne 0 ]]; then
            failed=1
            grep -m 8 -E "Fatal error|ERROR: (AddressSanitizer|libFuzzer)|SUMMARY|Test unit written" "$log" | sed 's/^/    /' || true
            [[ $crashes -gt 0 ]] || { echo "    $target exited $rc without an artifact; last lines of $log:"; tail -20 "$log" | sed 's/^/    /'; }
        fi
    done
    if [[ $failed -ne 0 ]]; then
        echo "fuzzing found problems: inputs copied to Fuzz/FailCases/, logs in Fuzz/artifacts/"
        exit 1
    fi
}

case "${1:-60}" in
    --selftest) selftest ;;
    *[!0-9]* | "") echo "usage: $0 [SECONDS] | --selftest" >&2; exit 2 ;;
    *) fuzz "${1:-60}" ;;
esac
