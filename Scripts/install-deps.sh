#!/usr/bin/env bash
# Installs the system packages the tests, fuzzers and benchmarks need (Debian 12, as root).
#   libqpid-proton11-dev, python3-qpid-proton: Qpid Proton, the cross-implementation peer.
set -euo pipefail
packages=(libqpid-proton11-dev python3-qpid-proton pkg-config)
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
