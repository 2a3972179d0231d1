#!/usr/bin/env bash
# One command: install, build, write the synthetic sample study and open the viewer on it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/build.sh"
build="${SPINELENS_BUILD_DIR:-$here/build}"
sample="${SPINELENS_SAMPLE_DIR:-$here/sample}"
"$build/app/spinelens-cli" sample "$sample"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the viewer under xvfb-run (screenshots only)." >&2
  exec xvfb-run -a -s "-screen 0 1600x1000x24" "$build/app/spinelens" "$sample" "$@"
fi
exec "$build/app/spinelens" "$sample" "$@"
