#!/usr/bin/env bash
# Starts or stops Qpid Proton's two example brokers, as test peers.
#
#   Scripts/peers/proton-brokers.sh start|stop
#
#   C broker       127.0.0.1:${PROTON_C_PORT:-5680}   built from /usr/share/proton/examples/c/broker.c
#   Python broker  127.0.0.1:${PROTON_PY_PORT:-5681}  /usr/share/proton/examples/python/broker.py
#
# Needs libqpid-proton11-dev, libqpid-proton11-dev-examples and python3-qpid-proton
# (Scripts/install-deps.sh). Binary, pid files and logs live in
# ${PEERS_DIR:-<repo>/.build/peers}/proton, which is also the brokers' working directory. Both
# brokers offer SASL ANONYMOUS only and answer both the SASL and the plain AMQP protocol header.
#
# TLS: with PROTON_TLS_DIR set to a folder made by Scripts/peers/make-certs.sh, its server.pem
# and server-key.pem are copied to <working dir>/ssl-certs/tserver-certificate.pem and
# tserver-private-key.pem, the two files broker.c loads at startup (relative to its working
# directory; the key must be unencrypted or use broker.c's password "tserverpw"). The C broker
# then accepts plain AMQP and TLS on the same port (it auto-detects; client certificates are
# neither requested nor checked, and it needs no CA file). Without PROTON_TLS_DIR those two
# copies are removed, so the C broker is plain only, as before. A broker already running keeps
# whatever it loaded when it started. The Python broker never serves TLS.
#
# start: builds the C broker if it is missing, launches each broker whose recorded pid is not
#        alive, then waits until both answer (Scripts/peers/wait-amqp.py, 30 s at most). On
#        failure prints the logs, stops both and exits non-zero.
# stop:  TERM by recorded pid, KILL after 5 s. Safe to run when nothing is running.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${PEERS_DIR:-$root/.build/peers}/proton
examples=/usr/share/proton/examples
host=127.0.0.1
c_port=${PROTON_C_PORT:-5680}
py_port=${PROTON_PY_PORT:-5681}
tls_dir=${PROTON_TLS_DIR:-}
start_timeout=30

# True while the pid in file $1 is a live (not zombie) process whose command line contains $2
# (so a stale pid file never makes us signal an unrelated process).
alive() {
    local pid state
    pid=$(cat "$1" 2>/dev/null) || return 1
    state=$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# Compiles the C example broker (its only helper is thread.h, found next to broker.c). The
# shipped Makefile's pkg-config names do not exist on Debian, hence the direct gcc call.
build_c_broker() {
    [ -x "$dir/broker" ] && return
    echo "proton: building $dir/broker"
    # shellcheck disable=SC2046 # pkg-config output must split into words
    gcc -O2 -o "$dir/broker.tmp" "$examples/c/broker.c" \
        $(pkg-config --cflags --libs libqpid-proton) -lpthread
    mv "$dir/broker.tmp" "$dir/broker"
}

# launch NAME PORT MARKER COMMAND...: starts COMMAND in the background in $dir, detached
# (setsid nohup), logging to NAME.log and recording its pid in NAME.pid, unless running.
launch() {
    local name=$1 port=$2 marker=$3
    shift 3
    if alive "$dir/$name.pid" "$marker"; then
        echo "proton: $name already running (pid $(cat "$dir/$name.pid"))"
        return
    fi
    # Something else (another test run?) already listening would pass the readiness check.
    if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
        echo "proton: $host:$port is already in use by another process; not starting $name" >&2
        return 1
    fi
    (cd "$dir" && exec setsid nohup "$@" >"$dir/$name.log" 2>&1 </dev/null) &
    echo $! >"$dir/$name.pid"
    echo "proton: started $name pid $! on $host:$port"
}

wait_ready() {
    local name=$1 port=$2
    shift 2 # further arguments go to wait-amqp.py (--tls CAFILE)
    /usr/bin/env python3 "$here/wait-amqp.py" --pid "$(cat "$dir/$name.pid")" "$@" "$host" "$port" "$start_timeout"
}

# Puts the C broker's TLS credentials in place (PROTON_TLS_DIR) or removes them (unset).
setup_c_broker_tls() {
    local certs=$dir/ssl-certs
    if [ -z "$tls_dir" ]; then
        rm -f "$certs/tserver-certificate.pem" "$certs/tserver-private-key.pem"
        return
    fi
    local f
    for f in ca.pem server.pem server-key.pem; do
        if [ ! -r "$tls_dir/$f" ]; then
            echo "proton: PROTON_TLS_DIR=$tls_dir has no readable $f (see Scripts/peers/make-certs.sh)" >&2
            return 1
        fi
    done
    mkdir -p "$certs"
    install -m 644 "$tls_dir/server.pem" "$certs/tserver-certificate.pem"
    install -m 600 "$tls_dir/server-key.pem" "$certs/tserver-private-key.pem"
    echo "proton: C broker TLS credentials from $tls_dir"
}

# With PROTON_TLS_DIR, also checks that the C broker answers inside TLS (verified against
# ca.pem for the name localhost) on its port.
wait_c_broker_tls() {
    [ -n "$tls_dir" ] || return 0
    wait_ready c-broker "$c_port" --tls "$tls_dir/ca.pem"
}

# stop_one NAME MARKER: TERM, then KILL after 5 s; removes the pid file.
stop_one() {
    local name=$1 marker=$2 pid
    if alive "$dir/$name.pid" "$marker"; then
        pid=$(cat "$dir/$name.pid")
        echo "proton: stopping $name pid $pid"
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do alive "$dir/$name.pid" "$marker" || break; sleep 0.1; done
        if alive "$dir/$name.pid" "$marker"; then
            echo "proton: $name ignored TERM, sending KILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    else
        echo "proton: $name not running"
    fi
    rm -f "$dir/$name.pid"
}

start() {
    mkdir -p "$dir"
    build_c_broker
    setup_c_broker_tls || exit 1
    if ! { launch c-broker "$c_port" "$dir/broker" "$dir/broker" "$host" "$c_port" &&
        launch py-broker "$py_port" "$examples/python/broker.py" \
            /usr/bin/python3 "$examples/python/broker.py" -a "$host:$py_port" &&
        wait_ready c-broker "$c_port" && wait_c_broker_tls && wait_ready py-broker "$py_port"; }; then
        echo "proton: brokers not ready; stopping them" >&2
        for log in "$dir/c-broker.log" "$dir/py-broker.log"; do
            [ -f "$log" ] && { echo "---- tail of $log" >&2; tail -n 20 "$log" >&2; }
        done
        stop >/dev/null
        exit 1
    fi
}

stop() {
    stop_one c-broker "$dir/broker"
    stop_one py-broker "$examples/python/broker.py"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
