#include "core/backend_loader.h"

#include <mutex>

#include "ggml-backend.h"

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#endif

namespace whisper_napi {

#ifdef WHISPER_NAPI_BACKEND_DL
namespace {

// The file that holds the code at `address` (this .node, or a backend module).
std::string FileOf(const void* address) {
#ifdef _WIN32
  HMODULE module = nullptr;
  if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                          static_cast<LPCWSTR>(address), &module)) {
    return "";
  }
  wchar_t wide[32768];
  const DWORD length = GetModuleFileNameW(module, wide, 32768);
  if (length == 0 || length >= 32768) return "";
  const int bytes = WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), nullptr, 0, nullptr, nullptr);
  std::string path(static_cast<size_t>(bytes), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide, static_cast<int>(length), path.data(), bytes, nullptr, nullptr);
  return path;
#else
  Dl_info info{};
  if (dladdr(address, &info) == 0 || info.dli_fname == nullptr) return "";
  return info.dli_fname;
#endif
}

std::string DirectoryOf(const std::string& file) {
  const size_t slash = file.find_last_of("/\\");
  return slash == std::string::npos ? "." : file.substr(0, slash);
}

}  // namespace
#endif

void LoadBackendsOnce() {
#ifdef WHISPER_NAPI_BACKEND_DL
  static std::once_flag loaded;
  std::call_once(loaded, [] {
    // Any function of ours locates the .node.
    ggml_backend_load_all_from_path(DirectoryOf(FileOf(reinterpret_cast<const void*>(&DirectoryOf))).c_str());
  });
#endif
}

std::string CpuBackendFile() {
#ifdef WHISPER_NAPI_BACKEND_DL
  ggml_backend_reg_t cpu = ggml_backend_reg_by_name("CPU");
  if (cpu == nullptr) return "";
  void* entry = ggml_backend_reg_get_proc_address(cpu, "ggml_backend_get_features");
  return entry ? FileOf(entry) : "";
#else
  return "";
#endif
}

}  // namespace whisper_napi
