#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, Debian's clang with -fsanitize=fuzzer,address,undefined)
# and runs each for FUZZ_SECONDS (default 40) on a seed corpus of files nobody here wrote
# (pydicom's test and charset files) plus our own (phantoms, shipped model cards and arrays, a
# run file). A crash, an abort, undefined behaviour, a leak or a hang (> 20 s on one input)
# fails the script; the input is kept in build-fuzz/crashes/. Prints executions per target.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$here/packaging/install-deps.sh"
build="$here/build-fuzz"
seconds="${FUZZ_SECONDS:-40}"
CC=clang CXX=clang++ cmake -S "$here/fuzz" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --parallel "$(nproc)"

pydicom_data="$(/usr/bin/python3 -c 'import os, pydicom; print(os.path.join(os.path.dirname(pydicom.__file__), "data"))')"
seeds="$build/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{dicom,raster,charset,model_card,domain_arrays,run_file} "$build/crashes"
cp "$pydicom_data"/test_files/*.dcm "$pydicom_data"/charset_files/*.dcm "$seeds/dicom/"
/usr/bin/python3 "$here/fuzz/make_seeds.py" "$here" "$seeds"
cli="$here/build/app/spinelens-cli"
if [ -x "$cli" ]; then
  "$cli" sample "$seeds/sample" >/dev/null
  find "$seeds/sample" -name '*.dcm' -exec cp {} "$seeds/dicom/" \;
  find "$seeds/sample" -name '*.png' -exec cp {} "$seeds/raster/" \;
  "$cli" phantom --kind xray --count 4 --seed 5 --out "$seeds/xray" >/dev/null
  "$cli" evaluate --model "$here/models/spine-xray-4class" --data "$seeds/xray" --split all \
    --out "$seeds/run_file/run.sqlite" >/dev/null 2>&1 || true
  rm -f "$seeds"/run_file/*-wal "$seeds"/run_file/*-shm
fi

# Inputs are written to /dev/shm per process; leave none behind.
trap 'rm -f /dev/shm/spinelens-fuzz-*' EXIT
rm -rf "$build/crashes"
mkdir -p "$build/crashes"
total=0
failed=0
run() {
  local target="$1" corpus="$2"
  local work="$build/corpus/$target"
  mkdir -p "$work"
  local log="$build/$target.log"
  set +e
  (cd "$build" && "./fuzz_$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
      -max_len=262144 -print_final_stats=1 -artifact_prefix="$build/crashes/$target-" \
      "$work" "$corpus" >"$log" 2>&1)
  local status=$?
  set -e
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + runs))
  if [ "$status" -ne 0 ]; then
    failed=$((failed + 1))
    echo "fuzz_$target: FAILED after $runs executions (exit $status):"
    grep -E 'ERROR|SUMMARY|Test unit written|deadly' "$log" | head -20 || true
  else
    echo "fuzz_$target: $runs executions, no crash"
  fi
}
run dicom_header "$seeds/dicom"
run dicom_decode "$seeds/dicom"
run raster "$seeds/raster"
run charset "$seeds/charset"
run model_card "$seeds/model_card"
run domain_arrays "$seeds/domain_arrays"
run run_file "$seeds/run_file"
# A crash inside a child process (GDCM's decode) is reported by the parent as a damaged file;
# any artefact libFuzzer or a sanitizer left behind still fails the run.
if [ -n "$(ls -A "$build/crashes")" ]; then
  echo "fuzz: inputs left in $build/crashes:"
  ls "$build/crashes"
  failed=$((failed + 1))
fi
echo "fuzz: $total executions in total, $failed target(s) failed"
echo "$((7 - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
