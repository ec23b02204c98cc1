#!/usr/bin/env bash
# The test suite against an AddressSanitizer + UndefinedBehaviorSanitizer build of the addon
# (clang), with LeakSanitizer on. Linux; takes about half an hour on 2 cores, so it is a
# script, not part of CI:
#
#   npm run test:sanitized [-- <jest arguments, e.g. test/model-errors.test.ts>]
#
# - Installs clang, llvm (the symbolizer) and libclang-rt-dev (the sanitizer runtimes)
#   with apt when they are missing (needs root).
# - Builds whisper.cpp and the addon into build-asan/ with -fsanitize=address,undefined.
# - Runs jest with that build (WHISPER_NAPI_ADDON) and the ASan runtime preloaded into node
#   (node itself is not instrumented). Every process the tests start inherits the preload;
#   sanitizer reports go to files, one per process, under .cache/sanitize/.
# - Fails when a test fails, when any process hit an ASan or UBSan error, or when
#   LeakSanitizer found a leak allocated by our code or whisper.cpp's (leaks of node or of
#   tools the tests run, such as sox, are counted but not ours to fix).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v clang >/dev/null || need+=(clang)
command -v llvm-symbolizer >/dev/null || ls /usr/bin/llvm-symbolizer-* >/dev/null 2>&1 || need+=(llvm)
if command -v clang >/dev/null; then
  [ -f "$(clang -print-file-name=libclang_rt.asan-x86_64.so)" ] || need+=("libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev")
else
  need+=(libclang-rt-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "sanitize: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -y -q --no-install-recommends "${need[@]}"
fi
runtime=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
symbolizer=$(command -v llvm-symbolizer || ls /usr/bin/llvm-symbolizer-* | head -1)

# -shared-libsan: the addon uses the runtime preloaded into node instead of linking its own.
flags="-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer -g -shared-libsan"
CC=clang CXX=clang++ CFLAGS="$flags" CXXFLAGS="$flags" LDFLAGS="-fsanitize=address,undefined -shared-libsan" \
  npx cmake-js configure --out build-asan --CDCMAKE_BUILD_TYPE=RelWithDebInfo --CDWHISPER_NAPI_PORTABLE=OFF --CDWHISPER_NAPI_BLAS=OFF
npx cmake-js build --out build-asan
addon=$PWD/build-asan/Release/whisper_napi.node
[ -f "$addon" ] || addon=$PWD/build-asan/RelWithDebInfo/whisper_napi.node
npm run build:ts --silent

logs=$PWD/.cache/sanitize
rm -rf "$logs" && mkdir -p "$logs"
status=0
# WHISPER_NAPI_SANITIZED: tests skip their RSS bounds, and run programs that are not node
# (whisper-cli, cmake, sox) without the preload, which can hang them at exit
# (test/support/sanitized.ts).
# alloc_dealloc_mismatch / new_delete_type_mismatch: node's own allocations trip these.
# LSan's exit code is 0 here: leak reports are judged below, by who allocated.
WHISPER_NAPI_SANITIZED=1 \
WHISPER_NAPI_ADDON=$addon \
LD_PRELOAD=$runtime \
ASAN_SYMBOLIZER_PATH=$symbolizer \
ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:alloc_dealloc_mismatch=0:new_delete_type_mismatch=0:detect_odr_violation=0:allow_user_segv_handler=1" \
LSAN_OPTIONS="exitcode=0:log_path=$logs/lsan" \
UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=0:suppressions=$PWD/scripts/ubsan-suppressions.txt" \
  npx jest "$@" || status=$?

node scripts/sanitizer-reports.js "$logs" || status=1
exit $status
