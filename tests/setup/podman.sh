#!/usr/bin/env bash
# Podman and a local base image for the container tests (ContainerTests). No registry is reachable here, so the
# stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 is made once: a minimal Debian (debootstrap) plus this machine's
# own .NET and ASP.NET Core runtimes. It is kept in podman's image store under a name that carries the runtime
# version (a new runtime makes a new one); the debootstrap tarball is cached under $cache so a lost image is
# re-imported in seconds; $cache/base-image holds the image's name. Why runc, default_ulimits = [] and
# --network host: README, "Containers, compose and Kubernetes".
set -euo pipefail
cache=/var/cache/convo-orchestrator-tests
export DEBIAN_FRONTEND=noninteractive

missing=()
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "missing ${missing[*]}: install the Debian packages podman runc debootstrap (needs root and apt-get)" >&2
    exit 1
  fi
  apt-get update -qq
  apt-get install -y -qq podman runc debootstrap >/dev/null
fi

# The runtime version names the base image: the test image must run the runtime the tests were built against.
runtime_dir="$(dirname "$(readlink -f "$(command -v dotnet)")")"
aspnet_version="$(dotnet --list-runtimes | awk '$1 == "Microsoft.AspNetCore.App" { v = $2 } END { print v }')"
netcore_version="$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')"
if [ -z "$aspnet_version" ] || [ -z "$netcore_version" ]; then
  echo "no ASP.NET Core runtime found by 'dotnet --list-runtimes'" >&2
  exit 1
fi
image="localhost/convo-test-base:bookworm-aspnet-$aspnet_version"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# podman as root would set resource limits this sandbox forbids; runc instead of crun (cgroups in hybrid mode).
printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"

mkdir -p "$cache"
# ContainerTests read the name from here: it depends on the runtime this script found.
echo "$image" >"$cache/base-image"
if podman image exists "$image"; then exit 0; fi

rootfs_tar="$cache/bookworm-minbase.tar"
if [ ! -s "$rootfs_tar" ]; then
  # The mirror apt already uses: nothing else is reachable.
  mirror="$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{ print $2 }' | grep -m1 '/debian$' || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
  rm -rf "$work/rootfs"
fi

# Lay out the runtime as the official image does: /usr/share/dotnet, with /usr/bin/dotnet pointing at it.
mkdir -p "$work/layer/usr/share/dotnet/shared" "$work/layer/usr/bin"
cp -a "$runtime_dir/dotnet" "$runtime_dir/host" "$work/layer/usr/share/dotnet/"
cp -a "$runtime_dir/shared/Microsoft.NETCore.App" "$work/layer/usr/share/dotnet/shared/"
cp -a "$runtime_dir/shared/Microsoft.AspNetCore.App" "$work/layer/usr/share/dotnet/shared/"
for dir in "$work/layer/usr/share/dotnet/shared/"*/; do
  # Only the versions the machine's dotnet picks: older patch versions would only add weight.
  find "$dir" -mindepth 1 -maxdepth 1 -type d ! -name "$aspnet_version" ! -name "$netcore_version" -exec rm -rf {} +
done
ln -s /usr/share/dotnet/dotnet "$work/layer/usr/bin/dotnet"
mkdir -p "$work/rootfs"
tar -C "$work/rootfs" -xf "$rootfs_tar"
cp -a "$work/layer/." "$work/rootfs/"
tar -C "$work/rootfs" -c . | podman import --change 'ENV DOTNET_RUNNING_IN_CONTAINER=true' - "$image" >/dev/null
podman image exists "$image"
