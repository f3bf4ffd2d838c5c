#!/usr/bin/env bash
# Validates the Kubernetes manifests offline: builds every overlay under k8s/ with Kustomize
# (in-process, sigs.k8s.io/kustomize/api), decodes every object strictly into its typed
# Kubernetes / Prometheus Operator Go struct (unknown fields rejected) and checks probes, ports,
# config keys, environment, volumes and security settings against what cxpulse serves and reads.
#
#   tools/k8s/validate.sh [--cxpulse BUILD/cxpulse] [-v]   validate (default binary: build/cxpulse)
#   tools/k8s/validate.sh --print prod                      print the built YAML of an overlay
#   tools/k8s/validate.sh --self-test                       go test: every check can fail
#
# Needs Go >= 1.26. The first run downloads the Go modules pinned in go.sum through the Go
# module proxy (~200 MB) and compiles them (~2 min on 2 cores); later runs take seconds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! command -v go >/dev/null 2>&1; then
  echo "validate.sh: go not found; install Go >= 1.26 (https://go.dev/doc/install)" >&2
  exit 1
fi
export GOFLAGS="${GOFLAGS:-} -mod=readonly"
cd "$here"

if [ "${1:-}" = "--self-test" ]; then
  exec go test -count=1 ./...
fi

go build -o "$here/bin/k8s-validate" .

args=()
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cxpulse) binary="$(cd "$OLDPWD" && realpath "$2")"; shift 2 ;;
    --print) exec "$here/bin/k8s-validate" -root "$root" -print "$2" ;;
    *) args+=("$1"); shift ;;
  esac
done
if [ -z "$binary" ] && [ -x "$root/build/cxpulse" ]; then
  binary="$root/build/cxpulse"
fi
exec "$here/bin/k8s-validate" -root "$root" -cxpulse "$binary" "${args[@]}"
