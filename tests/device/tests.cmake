# Tests of the device profile's host build (included by tests/CMakeLists.txt when
# IOTOKEN_PROFILE=device): every API test against the module built in the device
# configuration (ctest api-device/<test>, label device), and the device's own tests.
file(GLOB API_COMMON CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/api/common/*.c)
file(GLOB API_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/api/test_*.c)
# Not run on the device profile, and why:
#   test_store, test_corrupt, test_tamper, test_crash_kill: they open, change or kill
#     the store's files on disk; the device's store is its PAL (here a RAM disk), and
#     the same cases run on the RAM PAL in the host's unit/test_store_files.
#   test_fork: devices do not fork; the device profile has no fork detection.
#   test_random_big: C_GenerateRandom of more than 4 GiB (a host's size_t; the host
#     profile's mbedTLS build runs it).
#   test_cipher, test_wrap, test_derive, test_eddsa: the device profile builds without
#     AES, HMAC, OAEP, ECDH and Ed25519 (IOT_WITH_AES, _HMAC, _OAEP, _ECDH, _ED25519 0 in
#     iotoken/defaults.h); the other tests check that those mechanisms are then refused.
#   test_wycheproof_more: the vector files of those mechanisms; test_p224: nor P-224.
#   test_v30: the device profile has no PKCS#11 3.0 interface (IOT_WITH_V30 0); test_general
#     checks there that C_GetInterfaceList and C_GetInterface are not exported.
set(IOTOKEN_DEVICE_SKIP test_store test_corrupt test_tamper test_crash_kill test_fork
  test_random_big test_cipher test_wrap test_derive test_eddsa test_wycheproof_more test_p224
  test_v30)
foreach(src ${API_TESTS})
  get_filename_component(name ${src} NAME_WE)
  if(name IN_LIST IOTOKEN_DEVICE_SKIP)
    continue()
  endif()
  add_executable(api_${name} ${src} ${API_COMMON})
  target_include_directories(api_${name} PRIVATE ${CMAKE_SOURCE_DIR}/include
    ${CMAKE_CURRENT_SOURCE_DIR}/api/common ${P11KIT_INCLUDE_DIRS} ${CMOCKA_INCLUDE_DIRS}
    ${JSONC_INCLUDE_DIRS})
  target_link_libraries(api_${name} PRIVATE iotoken_provision ${CMOCKA_LIBRARIES} ${JSONC_LIBRARIES}
    SQLite::SQLite3 Threads::Threads ${CMAKE_DL_LIBS})
  add_dependencies(api_${name} iotoken)
  set(labels api device)
  if(name MATCHES "thread")
    list(APPEND labels threads)
  endif()
  add_test(NAME api-device/${name} COMMAND api_${name})
  set_tests_properties(api-device/${name} PROPERTIES TIMEOUT ${IOTOKEN_TEST_TIMEOUT}
    LABELS "${labels}"
    ENVIRONMENT "IOTOKEN_TEST_DEVICE=1;IOTOKEN_MODULE=$<TARGET_FILE:iotoken>;IOTOKEN_TEST_SELF=$<TARGET_FILE:api_${name}>;IOTOKEN_VECTORS=${IOTOKEN_VECTORS}")
endforeach()

# The device's own limits and RAM (tests/device/test_device_ram.c): the token built again
# as a static library with tests/device/small_config.h (1 slot, 4 sessions, 16 objects, no
# mutexes, no default port), the port given by the program as firmware would.
add_library(iotoken_small STATIC ${IOTOKEN_DEVICE_SMALL_SOURCES})
target_compile_definitions(iotoken_small PRIVATE
  "IOTOKEN_USER_CONFIG=\"${CMAKE_CURRENT_SOURCE_DIR}/device/small_config.h\"")
target_include_directories(iotoken_small PUBLIC ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src
  ${P11KIT_INCLUDE_DIRS})
target_link_libraries(iotoken_small PUBLIC ${IOTOKEN_CRYPTO_LIBS})
add_executable(device_test_device_ram device/test_device_ram.c)
target_link_libraries(device_test_device_ram PRIVATE iotoken_small)
add_test(NAME device/test_device_ram COMMAND device_test_device_ram)
set_tests_properties(device/test_device_ram PROPERTIES TIMEOUT ${IOTOKEN_TEST_TIMEOUT}
  LABELS device)
