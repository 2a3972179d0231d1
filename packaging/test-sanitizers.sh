#!/usr/bin/env bash
# The core suite again, built with AddressSanitizer and UBSan (Debug): catches memory errors
# in the parsers and decoders that a normal run survives by luck. GUI and benchmarks are left
# out (software OpenGL under ASan is slow and the libraries' own leaks drown the signal).
# This is also CI's headless build (-DSPINELENS_BUILD_GUI=OFF, what cluster nodes build):
# spinelens-cli and the core tests without Qt 6 or VTK, checked with ldd.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/install-deps.sh"
build="$here/build-asan"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPINELENS_SANITIZE=ON \
  -DSPINELENS_BUILD_GUI=OFF
cmake --build "$build" --parallel "$(nproc)" --target \
  spinelens-cli test_dicom_vs_pydicom test_series_sorting test_bad_input test_raster_vs_pillow \
  test_fast_header test_image_math test_ai_vs_torch test_datasets test_phantoms test_split_augment test_trainer test_metrics_vs_sklearn test_evaluation test_trust test_charset test_voi test_multipart test_query_window
# Debian's LibTorch brings Qt 5 in through OpenCV (not ours to remove); Qt 6 and VTK must not be.
if ldd "$build/app/spinelens-cli" | grep -E 'libQt6|libvtk'; then
  echo "test-sanitizers: the headless spinelens-cli links Qt 6 or VTK (listed above)" >&2
  exit 1
fi
echo "test-sanitizers: headless spinelens-cli links no Qt 6 or VTK library"
cd "$build"
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest -L core --output-on-failure
