#!/usr/bin/env bash
# The core suite again, built with AddressSanitizer and UBSan (Debug): catches memory errors
# in the parsers and decoders that a normal run survives by luck. GUI and benchmarks are left
# out (software OpenGL under ASan is slow and the libraries' own leaks drown the signal).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/install-deps.sh"
build="$here/build-asan"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSPINELENS_SANITIZE=ON
cmake --build "$build" --parallel "$(nproc)" --target \
  spinelens-cli test_dicom_vs_pydicom test_series_sorting test_bad_input test_raster_vs_pillow \
  test_fast_header test_image_math test_ai_vs_torch test_datasets test_phantoms test_split_augment test_trainer test_metrics_vs_sklearn test_evaluation test_trust test_charset test_voi
cd "$build"
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest -L core --output-on-failure
