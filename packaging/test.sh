#!/usr/bin/env bash
# One command: install what is needed, build, run the whole suite (GUI tests in a real
# window under Xvfb with Mesa software OpenGL). Extra arguments go to ctest (e.g. -L core).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/build.sh"
build="${SPINELENS_BUILD_DIR:-$here/build}"
cd "$build"
export QT_QPA_PLATFORM=xcb LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s "-screen 0 1600x1000x24" ctest --output-on-failure --timeout 900 "$@"
