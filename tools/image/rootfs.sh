#!/usr/bin/env bash
# The runtime root file system of the cxpulse image, shared by tools/image.sh and the Dockerfile
# (so both images hold the same packages, users and paths).
#
#   rootfs.sh pins BINARY                 print the pinned packages, one name=version a line:
#                                         the owners of the shared libraries `ldd BINARY` lists
#                                         (dpkg -S) and base-files, netbase, ca-certificates,
#                                         each at the version this machine's apt offers now
#   rootfs.sh build PINS OUT.tar OUTDIR   mmdebstrap (extract variant, chrootless: no mounts, so
#                                         it also runs inside `docker build`) of exactly those
#                                         versions from this machine's apt sources into OUT.tar;
#                                         OUTDIR/packages.tsv lists what it installed
#
# The extract variant runs no maintainer scripts; rootfs_hook.sh does what they would have done
# for a shell-less runtime. The image's user is CXPULSE_UID:CXPULSE_GID (default 10001:10001).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
readonly kBasePackages=(base-files netbase ca-certificates)
uid="${CXPULSE_UID:-10001}" gid="${CXPULSE_GID:-10001}"
die() { echo "rootfs.sh: $*" >&2; exit 1; }

pins() {
  local binary="$1" libs owned owner policy candidate
  libs="$(ldd "$binary")" || die "ldd $binary failed"
  if grep -q 'not found' <<<"$libs"; then die "ldd $binary: $(grep 'not found' <<<"$libs" | head -1)"; fi
  # One dpkg -S and one apt-cache call for all (each call reads the whole database).
  local lib_paths queries owners=()
  mapfile -t lib_paths < <(awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs")
  candidates() { printf '%s\n' "$1" "$(realpath "$1")" "/usr$1" "${1#/usr}"; }
  mapfile -t queries < <(for lib in "${lib_paths[@]}"; do candidates "$lib"; done | sort -u)
  owned="$(dpkg -S "${queries[@]}" 2>/dev/null || true)"  # "package[:arch][, ...]: path"
  for lib in "${lib_paths[@]}"; do
    owner=""
    while read -r candidate; do
      owner="$(awk -v path="$candidate" -F': ' '$2 == path { print $1; exit }' <<<"$owned")"
      [ -n "$owner" ] && break
    done < <(candidates "$lib")
    [ -n "$owner" ] || die "$lib (needed by the binary) belongs to no Debian package"
    owners+=("${owner%%:*}")
  done
  mapfile -t owners < <(printf '%s\n' "${owners[@]}" | sort -u)
  echo "rootfs.sh: library packages of the binary (ldd): ${owners[*]}" >&2
  policy="$(apt-cache policy "${owners[@]}" "${kBasePackages[@]}" |
    awk '/^[^ ]/ { name = $1; sub(/:$/, "", name) } /^  Candidate:/ { print name, $2 }')"
  for p in "${owners[@]}" "${kBasePackages[@]}"; do
    candidate="$(awk -v p="$p" '$1 == p { print $2 }' <<<"$policy")"
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      die "apt offers no version of $p (run apt-get update)"
    fi
    echo "$p=$candidate"
  done
}

build() {
  local pins_file="$1" tar="$2" out="$3" codename sources=()
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    if [ -s "$f" ] && grep -qv '^\s*\(#\|$\)' "$f"; then sources+=("$f"); fi
  done
  [ ${#sources[@]} -gt 0 ] || die "no apt sources in /etc/apt (mmdebstrap uses the machine's own)"
  mkdir -p "$out"
  echo "rootfs.sh: mmdebstrap $codename from ${sources[*]}" >&2
  mmdebstrap --quiet --mode=chrootless --variant=extract --format=tar \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --include="$(paste -sd, "$pins_file")" \
    --extract-hook="bash '$here/rootfs_hook.sh' \"\$1\" '$out' $uid $gid" \
    "$codename" "$tar" "${sources[@]}" >&2 \
    || die "mmdebstrap failed (a pinned version gone from the archive? run apt-get update)"
}

case "${1:-}" in
  pins) [ $# -eq 2 ] || die "usage: rootfs.sh pins BINARY"; pins "$2" ;;
  build) [ $# -eq 4 ] || die "usage: rootfs.sh build PINS OUT.tar OUTDIR"; build "$2" "$3" "$4" ;;
  *) die "usage: rootfs.sh pins BINARY | build PINS OUT.tar OUTDIR" ;;
esac
