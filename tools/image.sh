#!/usr/bin/env bash
# Builds the cxpulse container image without a Docker engine or registry: a Release build of
# cxpulse, a runtime root file system of Debian packages (mmdebstrap, the machine's own apt
# sources), and an OCI image assembled with buildah into the local podman storage.
#
#   tools/image.sh [--binary PATH] [--tag REF] [--out DIR] [--no-archive]
#
#   --binary PATH  put this already-built binary in the image (stripped copy) instead of making
#                  a Release build in build-release/; the test suite uses it with build/cxpulse
#                  (its image is labelled with that build type: not for deployment)
#   --tag REF      image reference (default localhost/cxpulse:VERSION-REVISION)
#   --out DIR      where the provenance goes (default build/image)
#   --no-archive   skip the OCI archive (DIR/cxpulse.oci.tar)
#
# The runtime packages are exactly the owners of the shared libraries `ldd` lists for the
# binary, plus base-files, netbase and ca-certificates (and the packages those depend on), each
# pinned to the version the machine's apt offers now; the pins are printed and kept in
# DIR/packages.txt. The base layer is cached by those pins: a second run with the same
# packages only adds the binary layer. Writes DIR/sbom.spdx.json, DIR/image-id, DIR/digest and
# (unless --no-archive) DIR/cxpulse.oci.tar. The last line printed is the image reference.
# The source label is the git remote's URL, or CXPULSE_IMAGE_SOURCE when set (this repository has
# no remote here, so set it in CI). Needs root (buildah's and podman's root storage, file owners
# in the root file system) and `tools/install_deps.sh container`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# The image's contract; k8s/base/statefulset.yaml and cxpulse.yaml must agree (the container
# test reads both and `podman image inspect`).
readonly kUid=10001 kGid=10001
readonly kStateDir=/var/lib/cxpulse kConfigDir=/etc/cxpulse kPort=9464
readonly kBinaryPath=/usr/local/bin/cxpulse

binary="" tag="" out="$root/build/image" archive=1
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$(realpath "$2")"; shift 2 ;;
    --tag) tag="$2"; shift 2 ;;
    --out) out="$(realpath -m "$2")"; shift 2 ;;
    --no-archive) archive=0; shift ;;
    *) echo "image.sh: unknown argument '$1' (see the header of tools/image.sh)" >&2; exit 2 ;;
  esac
done
log() { echo "image: [${SECONDS} s] $*" >&2; }
die() { echo "image.sh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (file owners in the root file system, buildah's and podman's root storage)"
for tool in mmdebstrap buildah podman dpkg-deb apt-cache python3; do
  command -v "$tool" >/dev/null || die "$tool not found: run tools/install_deps.sh container"
done
mkdir -p "$out"

version="$(sed -n 's/^project(cxpulse VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi
source_url="${CXPULSE_IMAGE_SOURCE:-$(git config --get remote.origin.url 2>/dev/null || echo unknown)}"
epoch="$(git log -1 --format=%ct 2>/dev/null || date +%s)"
export SOURCE_DATE_EPOCH="$epoch"

# --- the binary ------------------------------------------------------------------------------
if [ -z "$binary" ]; then
  log "Release build in build-release/"
  cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXPULSE_TESTS=OFF \
    -DCXPULSE_BENCH=OFF -DCXPULSE_FUZZ=OFF >/dev/null
  cmake --build build-release --target cxpulse -j "$(nproc)" >&2
  binary="$root/build-release/cxpulse"
  build_type=Release
else
  build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$binary")/CMakeCache.txt" 2>/dev/null || true)"
  build_type="${build_type:-unknown} (--binary, not for deployment)"
fi
[ -x "$binary" ] || die "no binary at $binary"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
strip -o "$stage/cxpulse" "$binary"
log "binary $binary ($build_type) stripped"

# --- the packages: owners of the binary's shared libraries, pinned ---------------------------
export CXPULSE_UID=$kUid CXPULSE_GID=$kGid
bash tools/image/rootfs.sh pins "$binary" >"$out/packages.txt"
mapfile -t pins <"$out/packages.txt"
log "pinned Debian packages:"
printf '  %s\n' "${pins[@]}" >&2

# --- base layer: mmdebstrap, cached by the pins ----------------------------------------------
key="$( (cat "$out/packages.txt"; echo "$kUid:$kGid"; cat tools/image/rootfs.sh tools/image/rootfs_hook.sh) |
  sha256sum | cut -c1-16)"
base="localhost/cxpulse-base:$key"
base_out="${CXPULSE_IMAGE_CACHE:-/var/cache/cxpulse-image}/base-$key"  # beside podman's storage
if podman image exists "$base" && [ -s "$base_out/packages.tsv" ]; then
  log "base layer $base (cached)"
else
  started=$SECONDS
  bash tools/image/rootfs.sh build "$out/packages.txt" "$stage/rootfs.tar" "$base_out"
  log "mmdebstrap took $((SECONDS - started)) s"
  ctr="$(buildah from scratch)"
  buildah add --quiet "$ctr" "$stage/rootfs.tar" / >/dev/null
  buildah commit --quiet --rm --timestamp "$epoch" --format oci "$ctr" "$base" >/dev/null
fi
cp "$base_out/packages.tsv" "$out/packages.tsv"

# --- the cxpulse layer -----------------------------------------------------------------------
app="$stage/app"
install -D -m 0755 "$stage/cxpulse" "$app$kBinaryPath"
install -D -m 0644 k8s/base/cxpulse.yaml "$app$kConfigDir/cxpulse.yaml"
install -d -m 0750 "$app$kStateDir"
chown "$kUid:$kGid" "$app$kStateDir"
tar -C "$app" --numeric-owner --sort=name --mtime="@$epoch" -cf "$stage/app.tar" .

tag="${tag:-localhost/cxpulse:$version-${revision:0:12}}"
created="$(date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ)"
ctr="$(buildah from "$base")"
trap 'rm -rf "$stage"; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah add --quiet "$ctr" "$stage/app.tar" / >/dev/null
log "cxpulse layer added"

# The binary's libraries resolve inside the image, with the image's own dynamic loader.
mnt="$(buildah mount "$ctr")"
listed="$(chroot "$mnt" /lib64/ld-linux-x86-64.so.2 --list "$kBinaryPath" 2>&1)" \
  || die "the image's loader cannot load cxpulse: $listed"
if grep -q 'not found' <<<"$listed"; then die "missing in the image: $(grep 'not found' <<<"$listed")"; fi
chroot --userspec="$kUid:$kGid" "$mnt" "$kBinaryPath" --version >/dev/null \
  || die "cxpulse --version fails inside the image"
debian_version="$(cat "$mnt/etc/debian_version")"
buildah umount "$ctr" >/dev/null

labels=(
  "org.opencontainers.image.title=cxpulse"
  "org.opencontainers.image.description=Real-time customer-experience signals from Kafka event streams"
  "org.opencontainers.image.version=$version"
  "org.opencontainers.image.revision=$revision"
  "org.opencontainers.image.source=$source_url"
  "org.opencontainers.image.created=$created"
  "org.opencontainers.image.base.name=debian:$debian_version (mmdebstrap --variant=extract, packages.txt)"
  "io.cxpulse.build-type=$build_type"
)
label_args=() annotation_args=()
for l in "${labels[@]}"; do label_args+=(--label "$l"); annotation_args+=(--annotation "$l"); done
buildah config "${label_args[@]}" "${annotation_args[@]}" \
  --user "$kUid:$kGid" --workingdir "$kStateDir" --port "$kPort/tcp" --volume "$kStateDir" \
  --entrypoint "[\"$kBinaryPath\"]" --cmd "run --config $kConfigDir/cxpulse.yaml" \
  --stop-signal SIGTERM --os linux --arch amd64 --created-by "tools/image.sh" "$ctr"
buildah commit --quiet --rm --timestamp "$epoch" --format oci "$ctr" "$tag" >/dev/null
log "committed $tag"
trap 'rm -rf "$stage"' EXIT

# --- provenance ------------------------------------------------------------------------------
podman image inspect --format '{{.Id}}' "$tag" >"$out/image-id"
podman image inspect --format '{{.Digest}}' "$tag" >"$out/digest"
if [ "$archive" -eq 1 ]; then
  rm -f "$out/cxpulse.oci.tar"
  podman save --quiet --format oci-archive -o "$out/cxpulse.oci.tar" "$tag"
fi
python3 "$root/tools/image/sbom.py" --packages "$out/packages.tsv" --image "$tag" \
  --image-id "$(cat "$out/image-id")" --version "$version" --revision "$revision" \
  --created "$created" --source "$source_url" >"$out/sbom.spdx.json"
size="$(podman image inspect --format '{{.Size}}' "$tag")"
echo "$tag" >"$out/reference"
log "image $tag: $((size / 1000000)) MB ($(wc -l <"$out/packages.tsv") Debian packages, binary $(($(stat -c %s "$stage/cxpulse") / 1000000)) MB)"
log "image id $(cat "$out/image-id"), digest $(cat "$out/digest")"
log "provenance in $out: packages.txt packages.tsv sbom.spdx.json image-id digest$([ "$archive" -eq 1 ] && echo ' cxpulse.oci.tar')"
echo "$tag"
