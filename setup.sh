#!/usr/bin/env bash
# Installs the dependencies (Debian 12 packages), builds emu, and runs the
# flagship demo: the mmap/munmap stress loop under emu, its RSS beside the
# native run's. `./setup.sh --no-demo` stops after the build.
set -euo pipefail
cd "$(dirname "$0")"

packages=(meson ninja-build g++ pkg-config python3 libcapstone-dev libfmt-dev catch2
          libunwind-14-dev musl-tools busybox-static bash-static qemu-user gnuplot-nox strace
          clang libclang-rt-14-dev llvm-14)  # clang...: the sanitizer and fuzzing build (tools/sanitize.sh)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "setup: not root and no sudo; as root, run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

[ -f build/build.ninja ] || meson setup build
ninja -C build

if [ "${1:-}" != "--no-demo" ]; then
  python3 tools/demo.py
fi
