# Cross-compiling for Linux arm64 with Debian's/Ubuntu's aarch64 toolchain
# (apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross):
#
#   node node_modules/cmake-js/bin/cmake-js rebuild --out build-arm64 --arch arm64 \
#     --CDCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake --CDWHISPER_NAPI_PORTABLE=ON
#
# scripts/platforms/check-arm64.js does this and runs the result under qemu-aarch64.
# $AARCH64_GCC_SUFFIX picks a versioned compiler (e.g. "-13" for aarch64-linux-gnu-gcc-13).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(whisper_napi_cross_suffix "$ENV{AARCH64_GCC_SUFFIX}")
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc${whisper_napi_cross_suffix})
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++${whisper_napi_cross_suffix})
set(CMAKE_STRIP aarch64-linux-gnu-strip)

# Headers and libraries of the target from the cross sysroot only; programs from the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
