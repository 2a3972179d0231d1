#!/usr/bin/env bash
# Installs dependencies (Debian 12), configures and builds SpineLens into ./build.
# ccache keeps rebuilds fast; ninja uses both cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/install-deps.sh"
build="${SPINELENS_BUILD_DIR:-$here/build}"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${SPINELENS_BUILD_TYPE:-RelWithDebInfo}" "$@"
cmake --build "$build" --parallel "$(nproc)"
