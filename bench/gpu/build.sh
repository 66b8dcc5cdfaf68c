#!/usr/bin/env bash
# Builds bench/gpu/bundle (git-ignored, under 60 MB) for bench/gpu/run.sh on a machine with nothing installed:
# the engine and the bench as one file (esbuild), Node (this machine's, xz), Dawn's dawn.node (xz), PyTorch's
# peer script, and the Vulkan loader with the glvnd libraries NVIDIA's Vulkan driver loads (Debian debs).
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=bench/gpu/bundle
npm run build --silent
mkdir -p "$bundle/node_modules/webgpu/dist/linux-x64" "$bundle/debs"
# One file; CommonJS inside (tfjs) calls require, which an ES module has only through createRequire.
npx esbuild dist/bench/gpu/bench.js --bundle --platform=node --format=esm --target=node20 --log-level=warning \
  --banner:js="import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" \
  --outfile="$bundle/bench.mjs"
# The webgpu package stays a package (it finds dawn.node beside its index.js); run.sh unpacks dawn.node.
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$bundle/node_modules/webgpu/"
compress() { [ "$2" -nt "$1" ] || xz -T2 -6 -c "$1" > "$2"; }
compress node_modules/webgpu/dist/linux-x64/dawn.node "$bundle/dawn.node.xz"
compress "$(command -v node)" "$bundle/node.xz"
cp bench/gpu/torch_gpu.py bench/gpu/run.sh "$bundle/"
if ! ls "$bundle"/debs/libvulkan1_*.deb >/dev/null 2>&1; then
  lists=$(mktemp -d)
  opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
  mkdir -p "$lists/partial"
  apt-get "${opts[@]}" update -qq
  (cd "$bundle/debs" && apt-get "${opts[@]}" download libvulkan1 libglvnd0 libglx0 libegl1 libopengl0 libgl1)
  rm -rf "$lists"
fi
du -sh "$bundle"
echo "run it on the target machine: $bundle/run.sh   (a CPU machine: $bundle/run.sh --quick --software)"
