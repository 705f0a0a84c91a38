#!/usr/bin/env bash
# Installs the system packages the tests, fuzzers and benchmarks need (Debian 12, as root).
#   libssl-dev: the system OpenSSL, which AMQPTLS links (TLS, HMAC-SHA256, base64).
#   libqpid-proton11-dev, python3-qpid-proton: Qpid Proton, the cross-implementation peer.
#   libqpid-proton11-dev-examples: Proton's example brokers (C and Python), run as test peers
#     by Scripts/peers/proton-brokers.sh.
#   rabbitmq-server: RabbitMQ with its AMQP 1.0 plugin, a real broker, run as a test peer by
#     Scripts/peers/rabbitmq.sh (the package never starts the service itself here).
#   iperf3: the loopback bandwidth reference of Scripts/bench-vs-proton.sh.
set -euo pipefail
packages=(libssl-dev libqpid-proton11-dev libqpid-proton11-dev-examples python3-qpid-proton pkg-config rabbitmq-server iperf3)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
/usr/bin/python3 -c "import proton" || { echo "python3-qpid-proton does not load under /usr/bin/python3" >&2; exit 1; }
echo "dependencies ok: ${packages[*]}"
