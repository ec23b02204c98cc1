#!/usr/bin/env bash
# The CUDA check for a machine with an NVIDIA GPU and driver: build the CUDA variant there,
# check it (the CUDA device listed, transcripts with useGpu true = false), benchmark CPU
# against CUDA, print a summary. One command, bounded time (each step under `timeout`, about
# 9 minutes in all), no network: what it needs that the working tree lacks travels in
# .cache/cuda/carry/ (git-ignored, made here first). Never in CI. docs/platforms/cuda.md.
#
# Here (this machine, network, no GPU):
#   scripts/platforms/gpu-check.sh --prepare
#     -> .cache/cuda/carry/: node (this machine's node binary), deps/whisper.cpp, the
#        production node_modules (cmake-js, node-addon-api, ...), dist/ (the compiled
#        TypeScript) and the two fixtures, xz-compressed, checked to stay under 60 MiB.
# There (the lead's `device` tool: run with carry [".cache/cuda/carry"], timeout_s 600):
#   bash scripts/platforms/gpu-check.sh
#     CUDA_ARCHS   the GPU's own architecture by default (nvidia-smi's compute_cap, e.g. 90)
#     CUDA_TOOLKIT a toolkit root; else nvcc on PATH, /usr/local/cuda, the wheels' tree in
#                  .cache/cuda/toolkit, or NVIDIA's pip wheels in python3's site-packages
# Exit status: 0 all passed, 1 a check failed, 2 no GPU/driver, 3 no toolkit, 4 build failed.
# Time: nvidia-smi 30 s, unpacking 3 x 60 s at most (seconds in practice), the build 360 s, the
# checks 150 s: under 9 minutes. A build cut off by its timeout resumes where it stopped
# (ninja) if the script is run again on the same warm machine.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CARRY=$ROOT/.cache/cuda/carry
STARTED=$(date +%s)
elapsed() { echo "$(( $(date +%s) - STARTED )) s"; }
say() { echo "gpu-check [$(elapsed)]: $*"; }

if [ "${1:-}" = "--prepare" ]; then
  rm -rf "$CARRY" && mkdir -p "$CARRY/fixtures" || exit 1
  xz -T2 -6 -c "$(command -v node)" > "$CARRY/node.xz"
  tar -C "$ROOT" -cJf "$CARRY/deps.tar.xz" --exclude='deps/whisper.cpp/bindings' --exclude='deps/whisper.cpp/models/*.bin' deps
  # The production dependencies (package.json "dependencies", with theirs), as installed here.
  node -e '
    const fs = require("fs"), path = require("path"), seen = new Set();
    function walk(name, from) {
      for (let dir = from; ; dir = path.dirname(dir)) {
        const p = path.join(dir, "node_modules", name);
        if (fs.existsSync(path.join(p, "package.json"))) {
          if (seen.has(p)) return;
          seen.add(p);
          for (const d of Object.keys(require(path.join(p, "package.json")).dependencies || {})) walk(d, p);
          return;
        }
        if (path.dirname(dir) === dir) throw new Error("not installed: " + name);
      }
    }
    for (const d of Object.keys(require("./package.json").dependencies)) walk(d, process.cwd());
    walk("node-api-headers", process.cwd());
    console.log([...seen].map((p) => path.relative(process.cwd(), p)).join("\n"));' > "$CARRY/node_modules.list" || exit 1
  tar -C "$ROOT" -cJf "$CARRY/node_modules.tar.xz" -T "$CARRY/node_modules.list"
  tar -C "$ROOT" -cJf "$CARRY/dist.tar.xz" dist
  cp "$ROOT/../shared/fixtures/jfk.wav" "$ROOT/../shared/fixtures/for-tests-ggml-tiny.en.bin" "$CARRY/fixtures/"
  size=$(du -sm "$CARRY" | cut -f1)
  ls -la "$CARRY"
  say "carry: ${size} MiB (working tree + carry must stay under 64 MiB)"
  [ "$size" -lt 60 ] || { say "too large to carry"; exit 1; }
  exit 0
fi

OUT=${OUT:-/tmp/gpu-check-out}
mkdir -p "$OUT"
exec > >(tee "$OUT/gpu-check.log") 2>&1

# 1. A GPU and its driver.
gpu=$(timeout 30 nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)
if [ -z "$gpu" ] || ! timeout 30 nvidia-smi -L > /dev/null 2>&1; then
  say "no NVIDIA GPU or driver (nvidia-smi: ${gpu:-not found})"
  exit 2
fi
say "GPU: $gpu"
arch=${CUDA_ARCHS:-$(echo "$gpu" | awk -F', ' '{ gsub(/\./, "", $2); print $2 }')}

# 2. What travelled in the carry, unpacked where the build and the library look for it.
if [ -d "$CARRY" ]; then
  mkdir -p "$CARRY/bin"
  [ -x "$CARRY/bin/node" ] || { xz -dc "$CARRY/node.xz" > "$CARRY/bin/node" && chmod +x "$CARRY/bin/node"; }
  export PATH="$CARRY/bin:$PATH"
  [ -f deps/whisper.cpp/CMakeLists.txt ] || timeout 60 tar -C "$ROOT" -xJf "$CARRY/deps.tar.xz"
  [ -d node_modules/cmake-js ] || timeout 60 tar -C "$ROOT" -xJf "$CARRY/node_modules.tar.xz"
  [ -f dist/cjs/index.js ] || timeout 60 tar -C "$ROOT" -xJf "$CARRY/dist.tar.xz"
  export WHISPER_NAPI_FIXTURES="$CARRY/fixtures"
fi
command -v node > /dev/null || { say "no node (run --prepare here and carry .cache/cuda/carry)"; exit 3; }
say "node $(node --version), cmake $(cmake --version | head -1 | awk '{print $3}'), g++ $(g++ -dumpfullversion 2>/dev/null)"

# 3. A CUDA toolkit: nvcc, headers, cudart and cuBLAS to link against.
site=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null)
toolkit=${CUDA_TOOLKIT:-}
for candidate in "$(dirname "$(dirname "$(command -v nvcc 2>/dev/null || echo /x/x)")")" /usr/local/cuda "$ROOT/.cache/cuda/toolkit" "$site/nvidia/cu13"; do
  [ -n "$toolkit" ] && break
  [ -x "$candidate/bin/nvcc" ] && toolkit=$candidate
done
[ -n "$toolkit" ] || { say "no CUDA toolkit (nvcc) found"; exit 3; }
toolkit=$(readlink -f "$toolkit")
say "toolkit: $toolkit ($("$toolkit/bin/nvcc" --version | tail -1))"
# Each library given to CMake by its path where the toolkit lacks the unversioned link (pip's
# wheels carry only libX.so.13): the toolkit's, NVIDIA's wheels in site-packages, the driver's.
find_lib() {
  for dir in "$toolkit/lib64" "$toolkit/lib" "$toolkit/targets/x86_64-linux/lib" "$site/nvidia/cu13/lib" "$site/nvidia/cublas/lib" "$site/nvidia/cuda_runtime/lib" "$@"; do
    for f in "$dir/lib$1.so" "$dir"/lib"$1".so.[0-9]*; do [ -e "$f" ] && { echo "$f"; return; }; done
  done
}
defines=""
for lib in cudart cublas cublasLt; do
  f=$(find_lib $lib) || true
  [ -n "$f" ] || { say "no lib$lib.so for the link"; exit 3; }
  defines="$defines CUDA_${lib}_LIBRARY=$f"
done
driver=$(find_lib cuda "$toolkit/lib64/stubs" "$toolkit/lib/stubs" /usr/local/nvidia/lib64 /usr/lib/x86_64-linux-gnu /usr/lib64)
[ -n "$driver" ] && defines="$defines CUDA_cuda_driver_LIBRARY=$driver"
say "link libraries:$defines"

# 4. The build, this GPU's architecture only (the release list takes far longer).
say "building for CMAKE_CUDA_ARCHITECTURES=$arch"
CUDA_TOOLKIT=$toolkit CUDA_ARCHS=$arch CUDA_JOBS=$(nproc) CUDA_CMAKE_DEFINES="$defines" \
  timeout 360 node scripts/platforms/build-cuda.js > "$OUT/build.log" 2>&1
status=$?
grep -E '^build-cuda:|^== |sm_|NEEDED|RUNPATH' "$OUT/build.log" | grep -v '^build-cuda: \$' | tail -40
[ $status -eq 0 ] || { tail -30 "$OUT/build.log"; say "build failed (status $status)"; exit 4; }

# 5. The checks and the benchmark.
LD_LIBRARY_PATH="$(dirname "$(find_lib cublas)"):$(dirname "$(find_lib cudart)"):${LD_LIBRARY_PATH:-}" \
  OUT=$OUT timeout 150 node scripts/platforms/gpu-check.js build-cuda/Release/whisper_napi.node
status=$?
say "done, status $status"
exit $status
