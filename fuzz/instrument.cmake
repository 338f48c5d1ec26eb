# PATCHNAS_FUZZ: every library of the tree is compiled with libFuzzer's coverage
# instrumentation, AddressSanitizer (with its leak checker) and UndefinedBehaviorSanitizer
# (undefined behaviour aborts), so the parsers that the fuzz targets drive report what goes
# wrong inside them. Included by the top-level CMakeLists.txt before the libraries.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PATCHNAS_FUZZ needs clang and libFuzzer: configure with "
                      "-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 (tools/fuzz.sh does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer -g)
add_link_options(-fsanitize=address,undefined)
