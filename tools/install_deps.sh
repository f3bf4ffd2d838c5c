#!/usr/bin/env bash
# Installs every system dependency of cxpulse on a fresh Debian 12 machine. Safe to run twice:
# it installs only what is missing. Needs root (or sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev librocksdb-dev libsimdjson-dev prometheus-cpp-dev libboost-dev
  libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev libabsl-dev libjemalloc-dev
  python3 python3-jsonschema
  clang libclang-rt-14-dev clang-format clang-tidy
)
# Extra groups, asked for by name: `tools/install_deps.sh kafka browser prometheus container bench`.
for group in "$@"; do
  case "$group" in
    # openssl: the notify integration test makes a self-signed certificate for its TLS receiver.
    kafka) packages+=(default-jre-headless maven kcat python3-confluent-kafka openssl) ;;
    # Prometheus 2.42 server and promtool for tests/prometheus (the tests run their own server
    # process; the package's system service is not needed).
    prometheus) packages+=(prometheus python3-yaml) ;;
    # The outreach-page browser test (tests/browser/): Debian's Chromium driven by
    # playwright-core from npm (`npm ci` in tests/browser/). A Node.js that ships npm is kept.
    browser)
      packages+=(chromium)
      if ! command -v node >/dev/null; then packages+=(nodejs); fi
      if ! command -v npm >/dev/null; then packages+=(npm); fi
      ;;
    # The container image (tools/image.sh) and its test (tests/container/): mmdebstrap for the
    # root file system, buildah to assemble the image, podman with runc to run it (crun refuses
    # hybrid cgroup layouts); python3-yaml reads the manifests in the test.
    container)
      packages+=(podman runc buildah mmdebstrap uidmap slirp4netns fuse-overlayfs binutils
        python3-yaml)
      ;;
    # The peer benchmark's plot (bench/peer_plot.py, run by bench/peer_growth.sh); the benchmark
    # itself needs the kafka group.
    bench) packages+=(python3-matplotlib) ;;
    *) echo "install_deps.sh: unknown group '$group' (known: kafka prometheus browser container bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install_deps: done"
