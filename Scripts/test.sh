#!/usr/bin/env bash
# The whole test suite, as README names it: installs what is missing (Debian 12, as root),
# starts every interop peer (RabbitMQ plain and TLS, Qpid Proton's C and Python brokers),
# runs `swift test` with every interop suite switched on, checks that each suite ran (the
# interop matrix must hold every check and peer), and stops the peers again, whatever happens.
#
#   bash Scripts/test.sh [SWIFT TEST ARGUMENTS…]     e.g. --filter ReconnectTests
#
# The log is .build/test.log; the interop matrix .build/interop.md.
set -euo pipefail
cd "$(dirname "$0")/.."

bash Scripts/install-deps.sh
python3 -m pip install -q -r Scripts/interop/requirements.txt 2>&1 | grep -v "Running pip as the 'root' user" || true

stop_peers() {
    bash Scripts/peers/proton-brokers.sh stop || true
    bash Scripts/peers/rabbitmq.sh stop || true
}
trap stop_peers EXIT
mkdir -p .build
bash Scripts/peers/make-certs.sh "$PWD/.build/tls"
RABBITMQ_TLS_DIR="$PWD/.build/tls" bash Scripts/peers/rabbitmq.sh start
PROTON_TLS_DIR="$PWD/.build/tls" bash Scripts/peers/proton-brokers.sh start
export AMQP_INTEROP_RABBITMQ=127.0.0.1:5672
export AMQP_INTEROP_PROTON_C=127.0.0.1:5680
export AMQP_INTEROP_PROTON_PYTHON=127.0.0.1:5681
export AMQP_INTEROP_PROTON_CLIENT=/usr/bin/python3
export AMQP_INTEROP_PYAMQP_CLIENT="$(command -v python3)"
export AMQP_INTEROP_TLS_DIR="$PWD/.build/tls"
export AMQP_INTEROP_RABBITMQ_TLS=localhost:5671
export AMQP_INTEROP_PROTON_C_TLS=localhost:5680
export AMQP_REQUIRE_ALL_PEERS=1
export AMQP_INTEROP_REPORT="$PWD/.build/interop.jsonl"
rm -f "$AMQP_INTEROP_REPORT"

status=0
swift test "$@" > .build/test.log 2>&1 || status=$?
grep -E "✘|error:|Test run with" .build/test.log | tail -n 80
[ "$status" -eq 0 ] || { echo "swift test failed (exit $status); the log is .build/test.log"; exit 1; }

# With a filter only some suites run: the completeness check is for the whole suite.
if [ "$#" -eq 0 ]; then
    python3 Scripts/interop/render-matrix.py "$AMQP_INTEROP_REPORT" --min-checks 31 \
        --expect RabbitMQ --expect "C broker" --expect "Python broker" --expect _pyamqp \
        --expect python-qpid-proton --expect "TLS:" > .build/interop.md || { cat .build/interop.md; exit 1; }
    cat .build/interop.md
fi
