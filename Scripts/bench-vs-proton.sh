#!/usr/bin/env bash
# Throughput of our `amqp` client against Qpid Proton C, side by side, in one run.
#
#   Scripts/bench-vs-proton.sh [--runs N] [--quick]
#
# Builds Scripts/bin/perf_peer (Proton C proactor peer, Scripts/proton/build-perf-peer.sh)
# and our release `amqp` (swift build -c release --product amqp), then starts, on free
# loopback ports from 5800 up, one Proton sink and one Proton source per message size, plus
# an iperf3 server. For each run index (default 5 runs; --quick: 3 runs, a quarter of the
# messages) it measures the loopback bandwidth with iperf3, then every cell, ours and
# Proton's back to back (which goes first alternates with the run index):
#   send path:    ours -> Proton sink        vs  Proton sender -> Proton sink
#   receive path: Proton source -> ours      vs  Proton source -> Proton receiver
# at 100 B, 1 KiB and 64 KiB, unsettled (credit / window 1000) and pre-settled.
# Pre-settled receive: `amqp receive` cannot ask for snd-settle-mode settled, so both
# receivers attach to the source address "presettled", for which perf_peer source declares
# snd-settle-mode settled itself (the Proton receiver also asks for it in its attach).
#
# Prints a Markdown table (medians over the runs) to stdout, progress to stderr, and writes
# every raw result as a JSON line to ${BENCH_OUT:-.build/bench-vs-proton.jsonl}.
#
# Exits 1 only on functional errors (a client that reports an error, exits non-zero, times
# out, crashes or counts the wrong number of messages; a peer that dies), after finishing
# the other cells. Timings never fail the script: this is a shared, noisy 2-core machine.
# Needs: libqpid-proton11-dev, pkg-config, iperf3, python3 (Scripts/install-deps.sh).
set -euo pipefail

runs=5
runs_set=0
quick=0
while [ $# -gt 0 ]; do
    case $1 in
        --runs) [ $# -ge 2 ] || { echo "--runs needs a number" >&2; exit 2; }
                runs=$2; runs_set=1; shift 2 ;;
        --runs=*) runs=${1#--runs=}; runs_set=1; shift ;;
        --quick) quick=1; shift ;;
        -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (usage: $0 [--runs N] [--quick])" >&2; exit 2 ;;
    esac
done
case $runs in ''|*[!0-9]*|0) echo "--runs must be a positive integer" >&2; exit 2 ;; esac

root=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_OUT:-$root/.build/bench-vs-proton.jsonl}
host=127.0.0.1
started_at=$(date +%s)
work=$(mktemp -d)
pids=()
failures=0

log() { echo "bench-vs-proton: $*" >&2; }

cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
command -v iperf3 >/dev/null || { log "iperf3 is missing (Scripts/install-deps.sh)"; exit 1; }

log "building perf_peer"
peer_bin=$(bash "$root/Scripts/proton/build-perf-peer.sh" | tail -n 1) \
    || { log "building perf_peer failed (Scripts/install-deps.sh)"; exit 1; }
[ -x "$peer_bin" ] || { log "perf_peer was not built"; exit 1; }

log "building amqp (release) ($(( $(date +%s) - started_at )) s since the start)"
(cd "$root" && swift build -c release --product amqp >"$work/build.log" 2>&1) \
    || { cat "$work/build.log" >&2; log "swift build -c release --product amqp failed"; exit 1; }
amqp_bin="$(cd "$root" && swift build -c release --show-bin-path)/amqp"
[ -x "$amqp_bin" ] || { log "$amqp_bin was not built"; exit 1; }

# ---- peers -------------------------------------------------------------------------------

next_port=5800
# port_free PORT: nothing is bound to PORT on the loopback address
port_free() {
    python3 - "$1" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
EOF
}

# start_peer NAME ARGS... : starts perf_peer ARGS with HOST PORT inserted after the mode, on
# the next free port; sets peer_port. Retries on another port when the listener fails.
start_peer() {
    local name=$1 mode=$2 pid
    shift 2
    for _ in $(seq 1 20); do
        while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
        peer_port=$next_port
        next_port=$((next_port + 1))
        "$peer_bin" "$mode" "$host" "$peer_port" "$@" >"$work/$name.log" 2>&1 &
        pid=$!
        pids+=("$pid")
        if python3 "$root/Scripts/peers/wait-amqp.py" --pid "$pid" "$host" "$peer_port" 15 >>"$work/$name.log" 2>&1; then
            eval "pid_$name=$pid"
            log "$name: perf_peer $mode on $host:$peer_port (pid $pid)"
            return 0
        fi
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        unset 'pids[-1]'   # reaped: its pid may be reused, never signal it again
        log "$name did not start on port $peer_port: $(tail -n 2 "$work/$name.log" | tr '\n' ' ')"
    done
    log "cannot start $name"
    exit 1
}

log "built ($(( $(date +%s) - started_at )) s since the start)"
sizes=(100 1024 65536)
start_peer sink sink 1000
sink_port=$peer_port
declare -A source_port
for size in "${sizes[@]}"; do
    start_peer "source_$size" source "$size"
    source_port[$size]=$peer_port
done

iperf_port=
for _ in $(seq 1 20); do
    while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
    candidate=$next_port
    next_port=$((next_port + 1))
    iperf3 -s -B "$host" -p "$candidate" >"$work/iperf3-server.log" 2>&1 &
    pid=$!
    pids+=("$pid")
    sleep 0.3
    if kill -0 "$pid" 2>/dev/null; then
        iperf_port=$candidate
        log "iperf3 server on $host:$iperf_port (pid $pid)"
        break
    fi
    wait "$pid" 2>/dev/null || true
    unset 'pids[-1]'
done
[ -n "$iperf_port" ] || log "warning: no iperf3 server; the bandwidth column stays empty"

# ---- runs --------------------------------------------------------------------------------

if [ "$quick" = 1 ]; then
    [ "$runs_set" = 1 ] || runs=3   # --quick: 3 runs unless --runs says otherwise
    count_small=50000 count_large=5000
else
    count_small=200000 count_large=20000
fi

mkdir -p "$(dirname "$out")"
: >"$out"

# record JSON-FIELDS... : appends one JSON line (python does the quoting)
# measure RUN PATH SIZE MODE IMPL COUNT CMD... : runs one client, checks it, records it
measure() {
    local run=$1 path=$2 size=$3 mode=$4 impl=$5 count=$6 status=0
    shift 6
    timeout 120 "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
    if ! python3 - "$out" "$run" "$path" "$size" "$mode" "$impl" "$count" "$status" \
            "$work/stdout" "$work/stderr" "$@" <<'EOF'
import json, sys, time
out, run, path, size, mode, impl, count, status, stdout, stderr = sys.argv[1:11]
command = sys.argv[11:]
text = open(stdout, errors="replace").read()
err = open(stderr, errors="replace").read()
result, problem = None, None
for line in reversed(text.splitlines()):
    line = line.strip()
    if line.startswith("{"):
        try:
            result = json.loads(line)
        except ValueError:
            pass
        break
status = int(status)
if status == 124:
    problem = "timed out after 120 s"
elif status >= 128:
    problem = f"killed by signal {status - 128}"
elif result is None:
    problem = f"no JSON result (exit {status})"
elif result.get("error") is not None:
    problem = f"error: {result['error']}"
elif status != 0:
    problem = f"exit status {status}"
elif result.get("count") != int(count):
    problem = f"count {result.get('count')} != {count}"
record = {"kind": "client", "time": round(time.time(), 3), "run": int(run), "path": path, "size": int(size), "mode": mode,
          "impl": impl, "count": int(count), "exit": status, "result": result, "failure": problem,
          "command": command}
if problem:
    record["stdout"] = text[-2000:]
    record["stderr"] = err[-2000:]
with open(out, "a") as f:
    f.write(json.dumps(record) + "\n")
if problem:
    print(f"FAILED {impl} {path} {size} {mode}: {problem}\n  command: {' '.join(command)}\n"
          f"  stdout: {text.strip()[-500:]}\n  stderr: {err.strip()[-1000:]}", file=sys.stderr)
    sys.exit(1)
r = result
print(f"  {path:7} {int(size):>6} B {mode:10} {impl:6} {r['msgs_per_s']:>11.0f} msgs/s "
      f"{r['mb_per_s']:>9.2f} MB/s {r['cpu_us_per_msg']:>8.3f} us/msg", file=sys.stderr)
EOF
    then
        failures=$((failures + 1))
    fi
}

iperf() {
    local run=$1 status=1
    [ -n "$iperf_port" ] || return 0
    for _ in 1 2 3; do
        if timeout 60 iperf3 -c "$host" -p "$iperf_port" -t 3 -J >"$work/iperf.json" 2>"$work/iperf.err"; then
            status=0
            break
        fi
        sleep 0.5
    done
    python3 - "$out" "$run" "$status" "$work/iperf.json" <<'EOF' || true
import json, sys, time
out, run, status, path = sys.argv[1:5]
mbps, problem = None, None
try:
    data = json.load(open(path))
    if "error" in data:
        problem = data["error"]
    else:
        bits = data["end"]["sum_received"]["bits_per_second"]
        mbps = bits / 8 / 1e6
except Exception as error:  # no JSON: iperf3 failed
    problem = f"iperf3 failed (exit {status}): {error}"
with open(out, "a") as f:
    f.write(json.dumps({"kind": "iperf3", "time": round(time.time(), 3), "run": int(run), "mb_per_s": mbps, "failure": problem}) + "\n")
if mbps is None:
    print(f"  iperf3: {problem} (not a functional error of the clients)", file=sys.stderr)
else:
    print(f"  iperf3 loopback: {mbps:.0f} MB/s ({mbps * 8 / 1000:.1f} Gbit/s)", file=sys.stderr)
EOF
}

# one_cell RUN PATH SIZE MODE: ours and Proton's, the order alternating with RUN
one_cell() {
    local run=$1 path=$2 size=$3 mode=$4 count first second impl
    count=$count_small
    [ "$size" -ge 65536 ] && count=$count_large
    if [ $((run % 2)) = 1 ]; then first=ours second=proton; else first=proton second=ours; fi
    for impl in $first $second; do
        case $path/$mode/$impl in
            send/unsettled/ours)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$amqp_bin" send \
                    --url "amqp://$host:$sink_port" --address bench --count "$count" --size "$size" \
                    --window 1000 --json ;;
            send/presettled/ours)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$amqp_bin" send \
                    --url "amqp://$host:$sink_port" --address bench --count "$count" --size "$size" \
                    --presettled --window 1000 --json ;;
            send/unsettled/proton)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$peer_bin" send \
                    "$host" "$sink_port" bench "$count" "$size" ;;
            send/presettled/proton)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$peer_bin" send \
                    "$host" "$sink_port" bench "$count" "$size" presettled ;;
            receive/unsettled/ours)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$amqp_bin" receive \
                    --url "amqp://$host:${source_port[$size]}" --address bench --count "$count" \
                    --credit 1000 --json ;;
            receive/presettled/ours)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$amqp_bin" receive \
                    --url "amqp://$host:${source_port[$size]}" --address presettled --count "$count" \
                    --credit 1000 --json ;;
            receive/unsettled/proton)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$peer_bin" receive \
                    "$host" "${source_port[$size]}" bench "$count" 1000 ;;
            receive/presettled/proton)
                measure "$run" "$path" "$size" "$mode" "$impl" "$count" "$peer_bin" receive \
                    "$host" "${source_port[$size]}" presettled "$count" 1000 presettled ;;
        esac
    done
}

peers_alive() {
    local name pid ok=0
    for name in sink "${sizes[@]/#/source_}"; do
        pid=$(eval "echo \$pid_$name")
        if ! kill -0 "$pid" 2>/dev/null; then
            log "FAILED: the Proton peer $name (pid $pid) died: $(tail -n 3 "$work/$name.log" | tr '\n' ' ')"
            ok=1
        fi
    done
    return $ok
}

log "$runs runs; $count_small messages at 100 B and 1 KiB, $count_large at 64 KiB"
for run in $(seq 1 "$runs"); do
    run_started=$(date +%s)
    log "run $run/$runs ($(( run_started - started_at )) s since the start)"
    iperf "$run"
    for path in send receive; do
        for size in "${sizes[@]}"; do
            for mode in unsettled presettled; do
                one_cell "$run" "$path" "$size" "$mode"
            done
        done
    done
    peers_alive || { failures=$((failures + 1)); log "stopping: a peer died"; break; }
    log "run $run took $(( $(date +%s) - run_started )) s"
done
[ -z "$iperf_port" ] || iperf "$((runs + 1))"   # once more, after the last 64 KiB cells

# ---- table -------------------------------------------------------------------------------

elapsed=$(( $(date +%s) - started_at ))
python3 - "$out" "$runs" "$quick" "$elapsed" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(uname -m)" \
    "$(nproc)" "$(pkg-config --modversion libqpid-proton 2>/dev/null || echo '?')" \
    "$count_small" "$count_large" <<'EOF'
import json, statistics, sys
out, runs, quick, elapsed, date, machine, cores, proton, small, large = sys.argv[1:11]
records = [json.loads(line) for line in open(out) if line.strip()]
clients = [r for r in records if r["kind"] == "client"]
bandwidth = [r["mb_per_s"] for r in records if r["kind"] == "iperf3" and r["mb_per_s"]]
iperf = statistics.median(bandwidth) if bandwidth else None

def med(values):
    return statistics.median(values) if values else None

def fmt(value, digits=0):
    return "–" if value is None else f"{value:,.{digits}f}"

def label(size):
    return {100: "100 B", 1024: "1 KiB", 65536: "64 KiB"}.get(size, f"{size} B")

print(f"## Throughput: our `amqp` client vs Qpid Proton C {proton}\n")
print(f"{date}; {machine}, {cores} cores; {runs} runs per cell{' (--quick)' if quick == '1' else ''}; "
      f"{int(small):,} messages at 100 B and 1 KiB, {int(large):,} at 64 KiB; credit/window 1000; "
      f"medians over the runs; wall time {elapsed} s.\n")
print("| path | size | mode | ours msgs/s | Proton msgs/s | ours/Proton | ours CPU µs/msg | "
      "Proton CPU µs/msg | ours MB/s % iperf3 | Proton MB/s % iperf3 |")
print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
paths = {"send": "send: ours → Proton sink vs Proton sender",
         "receive": "receive: Proton source → ours vs Proton receiver"}
for path in ("send", "receive"):
    for size in (100, 1024, 65536):
        for mode in ("unsettled", "presettled"):
            cell = [r for r in clients if (r["path"], r["size"], r["mode"]) == (path, size, mode)]
            if not cell:
                continue
            ok = {impl: [r["result"] for r in cell if r["impl"] == impl and not r["failure"]]
                  for impl in ("ours", "proton")}
            failed = {impl: sum(1 for r in cell if r["impl"] == impl and r["failure"])
                      for impl in ("ours", "proton")}
            rate = {impl: med([r["msgs_per_s"] for r in ok[impl]]) for impl in ok}
            cpu = {impl: med([r["cpu_us_per_msg"] for r in ok[impl]]) for impl in ok}
            mb = {impl: med([r["mb_per_s"] for r in ok[impl]]) for impl in ok}
            ratio = f"{rate['ours'] / rate['proton']:.2f}" if rate["ours"] and rate["proton"] else "–"
            def shown(impl, text):
                return text + (f" (FAILED {failed[impl]}×)" if failed[impl] else "")
            share = {impl: (f"{100 * mb[impl] / iperf:.0f} %" if size == 65536 and iperf and mb[impl] else "–")
                     for impl in ok}
            print(f"| {path} | {label(size)} | {mode} | {shown('ours', fmt(rate['ours']))} | "
                  f"{shown('proton', fmt(rate['proton']))} | {ratio} | {fmt(cpu['ours'], 2)} | "
                  f"{fmt(cpu['proton'], 2)} | {share['ours']} | {share['proton']} |")
print()
if iperf:
    print(f"iperf3 loopback bandwidth (median of {len(bandwidth)}): {iperf:,.0f} MB/s "
          f"({iperf * 8 / 1000:.1f} Gbit/s).")
else:
    print("iperf3 loopback bandwidth: not measured.")
print("\nsend: ours = `amqp send --window 1000`, Proton = `perf_peer send`, both into `perf_peer sink` "
      "(credit 1000). receive: `perf_peer source` into ours = `amqp receive --credit 1000` and "
      "Proton = `perf_peer receive` (credit 1000; bodies copied, not decoded). Pre-settled receive: "
      "the source address `presettled` makes the source declare snd-settle-mode settled.")
failed_total = sum(1 for r in clients if r["failure"])
if failed_total:
    print(f"\n**{failed_total} client runs failed** (details in {out} and above on stderr).")
EOF
if [ "$failures" -gt 0 ]; then
    log "$failures functional failures (see stderr above and $out)"
    exit 1
fi
log "done in $(( $(date +%s) - started_at )) s; raw results in $out"
