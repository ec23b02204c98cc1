/* Force-included into every C file by cmake/toolchains/x86_64-w64-mingw32.cmake.
 *
 * Debian 12's mingw-w64 headers (10.0) declare SetThreadInformation and the
 * ThreadPowerThrottling class, but not THREAD_POWER_THROTTLING_STATE, which ggml-cpu.c
 * uses whenever _WIN32_WINNT >= 0x0602 (mingw-w64's default is 0x0A00):
 *   ggml-cpu.c:2523: error: unknown type name 'THREAD_POWER_THROTTLING_STATE'
 * The definitions below are the Windows SDK's (processthreadsapi.h), so the code MSVC
 * compiles is the code compiled here. Newer mingw-w64 releases have them. */
#ifndef WHISPER_NAPI_MINGW_W64_COMPAT_H
#define WHISPER_NAPI_MINGW_W64_COMPAT_H
#include <_mingw.h>
#if defined(__MINGW64_VERSION_MAJOR) && __MINGW64_VERSION_MAJOR <= 10
#define THREAD_POWER_THROTTLING_CURRENT_VERSION 1
#define THREAD_POWER_THROTTLING_EXECUTION_SPEED 0x1
#define THREAD_POWER_THROTTLING_VALID_FLAGS (THREAD_POWER_THROTTLING_EXECUTION_SPEED)
typedef struct _THREAD_POWER_THROTTLING_STATE {
  unsigned long Version;
  unsigned long ControlMask;
  unsigned long StateMask;
} THREAD_POWER_THROTTLING_STATE;
#endif

/* GCC before 13 casts the stride of its AMX tile intrinsics to `long`, 32 bits on Windows, and
 * the assembler rejects the address it makes (ggml-cpu/amx/mmq.cpp, the sapphirerapids CPU
 * variant): "Error: `(%rax,%esi,1)' is not a valid base/index expression". GCC 13's own fix:
 * a 64-bit stride. Force-included into that variant by CMakeLists.txt under MinGW GCC < 13. */
#if defined(__cplusplus) && defined(__AMX_TILE__) && defined(__x86_64__) && __GNUC__ < 13
#include <immintrin.h>
#undef _tile_loadd_internal
#undef _tile_stream_loadd_internal
#undef _tile_stored_internal
#define _tile_loadd_internal(dst, base, stride)                                             \
  __asm__ volatile("{tileloadd\t(%0,%1,1), %%tmm" #dst "|tileloadd\t%%tmm" #dst ", [%0+%1*1]}" \
                   ::"r"((const void*)(base)), "r"((long long)(stride)))
#define _tile_stream_loadd_internal(dst, base, stride)                                              \
  __asm__ volatile("{tileloaddt1\t(%0,%1,1), %%tmm" #dst "|tileloaddt1\t%%tmm" #dst ", [%0+%1*1]}" \
                   ::"r"((const void*)(base)), "r"((long long)(stride)))
#define _tile_stored_internal(src, base, stride)                                                \
  __asm__ volatile("{tilestored\t%%tmm" #src ", (%0,%1,1)|tilestored\t[%0+%1*1], %%tmm" #src "}" \
                   ::"r"((void*)(base)), "r"((long long)(stride))                                 \
                   : "memory")
#endif
#endif
