# Cross-compiling the addon for Windows x64 with Debian's mingw-w64 (GCC), from Linux.
#
#   cmake -S . -B build-win32 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/x86_64-w64-mingw32.cmake \
#         -DCMAKE_JS_INC=node_modules/node-api-headers/include -DCMAKE_JS_LIB=/path/to/libnode.a ...
#
# scripts/platforms/check-win32.js does all of it (import library for node.exe included) and
# runs the result under Wine: docs/platforms/win32-mingw.md. Windows releases are built with
# MSVC by the release workflow; this is the way to build and run them from Linux.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(WHISPER_NAPI_MINGW_PREFIX x86_64-w64-mingw32)
# The "-posix" compilers: GCC built with the POSIX thread model (winpthreads). The "-win32"
# ones have no std::thread / std::mutex in GCC 12, which the addon and ggml use.
set(CMAKE_C_COMPILER ${WHISPER_NAPI_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${WHISPER_NAPI_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${WHISPER_NAPI_MINGW_PREFIX}-windres)
set(CMAKE_AR ${WHISPER_NAPI_MINGW_PREFIX}-gcc-ar-posix CACHE FILEPATH "")
set(CMAKE_RANLIB ${WHISPER_NAPI_MINGW_PREFIX}-gcc-ranlib-posix CACHE FILEPATH "")

# What Debian 12's mingw-w64 10 headers lack (see the header).
set(CMAKE_C_FLAGS_INIT "-include ${CMAKE_CURRENT_LIST_DIR}/mingw-w64-compat.h")

set(CMAKE_FIND_ROOT_PATH /usr/${WHISPER_NAPI_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Every DLL (the .node, whisper, ggml, the CPU variants) carries its own libgcc, libstdc++
# and winpthread: `-static` makes the linker take the static archives of all three, so the
# binaries need only DLLs that every Windows has (KERNEL32, msvcrt, ...) and node.exe.
# --exclude-libs: under MinGW ggml's GGML_API is no __declspec(dllexport), so ld exports every
# symbol of ggml-base.dll, whisper.dll, ... and of the static archives linked in, less those
# of its built-in list (libgcc, libstdc++, libmingw32, ...), which lacks libgcc_eh and
# winpthread: a CPU variant linking against ggml-base then found _Unwind_Resume twice
# ("multiple definition of `_Unwind_Resume'; libwhisper-napi-ggml-base.dll.a(...): first
# defined here"). (Not ALL, as on Linux: CMake links each DLL's own objects as objects.a,
# whose symbols must stay exported.)
set(whisper_napi_private_runtime "-Wl,--exclude-libs=libgcc_eh.a:libwinpthread.a:libpthread.a")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static ${whisper_napi_private_runtime}")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-static ${whisper_napi_private_runtime}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static")
