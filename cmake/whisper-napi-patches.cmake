# Refuses to configure against a whisper.cpp tree that is not exactly the patched tree:
# whisper-napi-patches.json (written by scripts/whisper-cpp-patches.js once every patch has
# applied) must list the patches scripts/patches/ holds now, with the same sha256, and every
# file they changed must still hash to what they produced. A partly patched tree, a tree
# patched with older patches, or a patched file edited since, stops here with the reason.
#
#   include(cmake/whisper-napi-patches.cmake)
#   whisper_napi_check_patches("${whisper_cpp_source}" "${CMAKE_CURRENT_SOURCE_DIR}/scripts/patches")
#
# or on its own: cmake -DTREE=<whisper.cpp> -DPATCH_DIR=scripts/patches -P cmake/whisper-napi-patches.cmake

function(whisper_napi_check_patches tree patch_dir)
  set(fix "Run `node scripts/prepare-whisper-cpp.js` for deps/whisper.cpp, or patch a pristine v1.9.1 checkout with `node scripts/whisper-cpp-patches.js ${tree}`.")
  set(stamp "${tree}/whisper-napi-patches.json")
  if(NOT EXISTS "${stamp}")
    message(FATAL_ERROR "${tree} lacks whisper-napi's patches (no whisper-napi-patches.json: never patched, or patching did not finish). ${fix}")
  endif()
  file(READ "${stamp}" json)

  file(GLOB patches "${patch_dir}/[0-9][0-9]-*.patch")
  list(SORT patches)
  list(LENGTH patches expected_count)
  string(JSON applied_count LENGTH "${json}" patches)
  if(NOT applied_count EQUAL expected_count)
    message(FATAL_ERROR "${tree} was patched with ${applied_count} patches; scripts/patches/ holds ${expected_count}. ${fix}")
  endif()
  set(index 0)
  foreach(patch IN LISTS patches)
    get_filename_component(name "${patch}" NAME)
    string(REGEX REPLACE "^[0-9][0-9]-(.*)\\.patch$" "\\1" id "${name}")
    string(JSON applied_id GET "${json}" patches ${index} id)
    string(JSON applied_sha GET "${json}" patches ${index} sha256)
    file(SHA256 "${patch}" sha)
    if(NOT applied_id STREQUAL id OR NOT applied_sha STREQUAL sha)
      message(FATAL_ERROR "${tree} was not patched with ${name} as it is now (it has ${applied_id}, another version or order). ${fix}")
    endif()
    math(EXPR index "${index} + 1")
  endforeach()

  string(JSON file_count LENGTH "${json}" files)
  math(EXPR last "${file_count} - 1")
  foreach(i RANGE ${last})
    string(JSON file MEMBER "${json}" files ${i})
    string(JSON expected GET "${json}" files "${file}")
    if(NOT EXISTS "${tree}/${file}")
      message(FATAL_ERROR "${tree}/${file}, which the patches change, is missing. ${fix}")
    endif()
    file(SHA256 "${tree}/${file}" actual)
    if(NOT actual STREQUAL expected)
      message(FATAL_ERROR "${tree}/${file} is not what whisper-napi's patches produce (edited, or partly patched). ${fix}")
    endif()
  endforeach()
  message(STATUS "whisper-napi: ${expected_count} patches verified in ${tree}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND CMAKE_SCRIPT_MODE_FILE STREQUAL CMAKE_CURRENT_LIST_FILE)
  whisper_napi_check_patches("${TREE}" "${PATCH_DIR}")
endif()
