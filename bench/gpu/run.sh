#!/usr/bin/env bash
# The GPU check, from its bundle (bench/gpu/build.sh): bench/gpu/bundle/run.sh [--quick] [--software] [--out FILE] [--python PATH]
# Writes bench/results/gpu.md beside the bundle unless --out says otherwise. Needs python3 with torch for the peer.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="${TMPDIR:-/tmp}/trainyard-gpu-bench"
mkdir -p "$work/lib"
[ -x "$work/node" ] || { xz -dc "$here/node.xz" > "$work/node"; chmod +x "$work/node"; }
dawn="$here/node_modules/webgpu/dist/linux-x64/dawn.node"
[ -f "$dawn" ] || xz -dc "$here/dawn.node.xz" > "$dawn"
# The Vulkan loader and glvnd: the system's where it has them, else the carried ones, unpacked beside (never over /).
for deb in "$here"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/unpacked"
done
for lib in "$work"/unpacked/usr/lib/x86_64-linux-gnu/*.so.*; do
  ldconfig -p | grep -q "/$(basename "$lib")\$" || cp -P "$lib" "$work/lib/"
done
export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The driver: SwiftShader when asked (--software), else NVIDIA's manifest where the loader's search misses it.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [[ " $* " == *" --software "* ]]; then
  export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
elif [ -z "${VK_ICD_FILENAMES:-}" ] && [ -f "$nvidia_icd" ]; then
  export VK_ICD_FILENAMES="$nvidia_icd"
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"
out=()
[[ " $* " == *" --out "* ]] || out=(--out "$here/../../results/gpu.md")
cd "$here"
"$work/node" "$here/bench.mjs" "${out[@]}" "$@"
