#!/usr/bin/env bash
# mmdebstrap --extract-hook of tools/image.sh: runs on the build machine after the pinned Debian
# packages were unpacked into ROOT (the extract variant runs no maintainer scripts), and does the
# few things their scripts would have done for a non-interactive, shell-less runtime:
#   - /var/lib/dpkg/status from the packages' control data (so image scanners and `dpkg-query
#     --admindir` see exactly what is installed) and OUT/packages.tsv (name, version, arch,
#     source, sha256 of the .deb) for the SBOM;
#   - /etc/ssl/certs/ca-certificates.crt from the ca-certificates package's own list;
#   - /etc/passwd, /etc/group (root, the cxpulse user 10001:10001, nobody), /etc/nsswitch.conf;
#   - the dynamic linker cache.
#   rootfs_hook.sh ROOT OUT UID GID
set -euo pipefail
root="$1" out="$2" uid="$3" gid="$4"
mkdir -p "$out"

status="$root/var/lib/dpkg/status"
: >"$status"
: >"$out/packages.tsv"
for deb in "$root"/var/cache/apt/archives/*.deb; do
  dpkg-deb -f "$deb" | awk 'NR == 1 { print; print "Status: install ok installed"; next } { print }' >>"$status"
  echo >>"$status"
  fields="$(dpkg-deb -f "$deb" Package Version Architecture Source)"
  name="$(sed -n 's/^Package: //p' <<<"$fields")"
  version="$(sed -n 's/^Version: //p' <<<"$fields")"
  arch="$(sed -n 's/^Architecture: //p' <<<"$fields")"
  source="$(sed -n 's/^Source: //p' <<<"$fields" | cut -d' ' -f1)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$version" "$arch" "${source:-$name}" \
    "$(sha256sum "$deb" | cut -d' ' -f1)" >>"$out/packages.tsv"
done
sort -o "$out/packages.tsv" "$out/packages.tsv"

# update-ca-certificates without its shell and openssl: the bundle of the certificates that
# /etc/ca-certificates.conf enables (every one, as Debian installs it).
if [ -f "$root/etc/ca-certificates.conf" ]; then
  mkdir -p "$root/etc/ssl/certs"
  : >"$root/etc/ssl/certs/ca-certificates.crt"
  grep -v -e '^#' -e '^!' -e '^$' "$root/etc/ca-certificates.conf" | while read -r cert; do
    cat "$root/usr/share/ca-certificates/$cert" >>"$root/etc/ssl/certs/ca-certificates.crt"
  done
fi

cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/usr/sbin/nologin
cxpulse:x:$uid:$gid:cxpulse:/var/lib/cxpulse:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
cxpulse:x:$gid:
nogroup:x:65534:
EOF
printf 'passwd: files\ngroup: files\nhosts: files dns\nservices: files\n' >"$root/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
ldconfig -r "$root"
