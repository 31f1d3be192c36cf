# The fuzz targets' seed corpora replayed as unit tests (label unit), built with the main
# compiler and libraries: a target that no longer compiles, or an input that crashes again,
# fails scripts/test. Fuzzing itself (libFuzzer, sanitizers) is scripts/faults fuzz.
set(TERMIJN_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
function(termijn_corpus_replay target)
  add_executable(${target}_replay ${TERMIJN_FUZZ_DIR}/${target}_fuzzer.cc
    ${TERMIJN_FUZZ_DIR}/replay_main.cc)
  target_link_libraries(${target}_replay PRIVATE ${ARGN})
  target_compile_definitions(${target}_replay PRIVATE
    TERMIJN_DEMO_CONFIG="${CMAKE_SOURCE_DIR}/config/demo.toml"
    TERMIJN_TEMPLATES_DIR="${CMAKE_SOURCE_DIR}/server/notify/templates")
  add_test(NAME FuzzCorpus.${target}
    COMMAND ${target}_replay ${TERMIJN_FUZZ_DIR}/corpus/${target})
  set_tests_properties(FuzzCorpus.${target} PROPERTIES LABELS unit)
endfunction()

termijn_corpus_replay(time termijn_domain)
termijn_corpus_replay(config termijn_config)
termijn_corpus_replay(request termijn_api termijn_app termijn_config)
# The notice target takes its input apart with clang's FuzzedDataProvider (libclang-rt-14-dev,
# which scripts/faults installs with clang): it runs under scripts/faults fuzz only.
