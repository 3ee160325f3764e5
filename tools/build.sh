#!/usr/bin/env bash
# Configures and builds regwatch into ./build (or $BUILD_DIR). Extra arguments go to
# cmake; $BUILD_TARGETS (space-separated) limits what is built (default: everything).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
# shellcheck disable=SC2086
ninja -C "$build_dir" ${BUILD_TARGETS:-}
