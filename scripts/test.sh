#!/bin/bash
# Configure, build and run the test suite (the README's test command).
#
#   bash scripts/test.sh [extra ctest arguments, e.g. -L threads]
#
# Environment:
#   BUILD_DIR   build directory, relative to the repository root (default: build)
#   CMAKE_ARGS  extra cmake configure arguments, split like a shell command line
#               (quotes allowed), e.g. CMAKE_ARGS='-DCMAKE_BUILD_TYPE=Debug -DIOTOKEN_WERROR=ON'
#
# ctest fails when no test matches (--no-tests=error): an empty run is never green.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/deps.sh

BUILD_DIR=${BUILD_DIR:-build}
cmake_args=()
eval "cmake_args=(${CMAKE_ARGS:-})"

cmake -S . -B "$BUILD_DIR" "${cmake_args[@]}"
cmake --build "$BUILD_DIR" -j "$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j2 --timeout 300 --no-tests=error "$@"
