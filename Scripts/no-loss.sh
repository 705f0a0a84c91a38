#!/usr/bin/env bash
# No message lost under faults: our client sends N messages (ids run-0 … run-(N-1)), unsettled,
# with --reconnect, through `amqp fault-proxy` cutting the connection every few seconds, to a
# real peer; then receives them back through the same proxy (cut as well) and checks every
# id. Exits non-zero if any message is lost.
#
#   bash Scripts/no-loss.sh [--target listener|rabbitmq] [--count N] [--size BYTES]
#                           [--cut-every LOW-HIGH]
#
#   listener   our in-process queues (`amqp listen`), no duplicate detection
#   rabbitmq   RabbitMQ 3.10 (a durable queue, /queue/<run>), started and stopped here
#
# Prints one line: target, count, cuts survived (send and receive), lost, duplicates
# received (RabbitMQ keeps what arrived before a cut whose outcome was lost: at most the
# in-flight window per cut), and the redeliveries the receiver saw.
set -euo pipefail
cd "$(dirname "$0")/.."
target=listener count=20000 size=1024 cut=1s-3s
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --cut-every) cut=$2; shift 2 ;;
        *) echo "usage: $0 [--target listener|rabbitmq] [--count N] [--size B] [--cut-every LOW-HIGH]" >&2; exit 2 ;;
    esac
done
swift build -c release --product amqp 2>&1 | tail -n 1
amqp=.build/release/amqp
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    [ "$target" = rabbitmq ] && bash Scripts/peers/rabbitmq.sh stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
run="noloss-$$"
case "$target" in
    listener)
        "$amqp" listen --port 0 --capacity $((count * 2)) > "$work/listen.log" 2>&1 &
        pids+=($!)
        for _ in $(seq 100); do grep -q "listening on" "$work/listen.log" && break; sleep 0.1; done
        upstream=$(sed -n 's/listening on \(.*\)/\1/p' "$work/listen.log")
        address="$run" ;;
    rabbitmq)
        RABBITMQ_PORT=${RABBITMQ_PORT:-5672} bash Scripts/peers/rabbitmq.sh start
        upstream=127.0.0.1:${RABBITMQ_PORT:-5672}
        address="/queue/$run" ;;
    *) echo "unknown target $target" >&2; exit 2 ;;
esac
"$amqp" fault-proxy --to "$upstream" --port 0 --cut-every "$cut" --stats > "$work/proxy.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "listening on" "$work/proxy.log" && break; sleep 0.1; done
port=$(sed -n 's/listening on \(.*\)/\1/p' "$work/proxy.log")
cuts() { sed -n 's/.*cuts \([0-9]*\),.*/\1/p' "$work/proxy.log" | tail -n 1; }
url="amqp://guest:guest@127.0.0.1:$port"

"$amqp" send --url "$url" --address "$address" --count "$count" --size "$size" --window 500 \
    --reconnect --message-id-prefix "$run" --json > "$work/send.json"
sleep 1.2
sent_cuts=$(cuts)
"$amqp" receive --url "$url" --address "$address" --count "$count" --credit 500 \
    --reconnect --message-id-prefix "$run" --json > "$work/receive.jsonl"
sleep 1.2
all_cuts=$(cuts)
python3 - "$work/send.json" "$work/receive.jsonl" "$count" "$run" "$target" "${sent_cuts:-0}" "${all_cuts:-0}" <<'PY'
import collections, json, sys
send_file, receive_file, count, run, target, sent_cuts, all_cuts = sys.argv[1:]
count = int(count)
sent = json.load(open(send_file))
seen = collections.Counter()
redelivered = 0
for line in open(receive_file):
    record = json.loads(line)
    if "messageId" not in record:
        continue
    seen[record["messageId"]] += 1
    if record.get("deliveryCount", 0) > 0:
        redelivered += 1
expected = {f"{run}-{i}" for i in range(count)}
lost = len(expected - set(seen))
duplicates = sum(n - 1 for n in seen.values())
strays = len(set(seen) - expected)
print(f"no-loss {target}: {count} messages, accepted {sent['count']} (send error: {sent['error']}); "
      f"cuts survived {sent_cuts} sending + {int(all_cuts) - int(sent_cuts)} receiving; "
      f"lost {lost}, duplicates {duplicates}, redelivered {redelivered}, strays {strays}")
sys.exit(1 if lost or strays or sent["count"] != count else 0)
PY
