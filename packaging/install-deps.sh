#!/usr/bin/env bash
# Installs every Debian 12 package SpineLens needs to build, test and run.
# Idempotent: packages already present are skipped by apt-get; safe to run on every build.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config
  # Qt 6: Widgets, OpenGL widgets, Test (in qt6-base-dev), Charts, Concurrent
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-qpa-plugins
  # Qt 5's QtTest for the headless build's core tests (-DSPINELENS_BUILD_GUI=OFF; LibTorch
  # already brings Qt 5's runtime in through OpenCV)
  qtbase5-dev
  # imaging stack
  libvtk9-dev libinsighttoolkit5-dev libgdcm-dev libgdcm-tools libdcmtk-dev
  libpng-dev libjpeg-dev zlib1g-dev
  # AI
  libtorch-dev
  # storage and serialisation
  nlohmann-json3-dev libsqlite3-dev
  # DICOMweb client (core/net; core has no Qt, so the CLI and cluster nodes share it)
  libcurl4-openssl-dev
  # command-line parsing (spinelens-cli's option tables)
  libcli11-dev
  # GUI tests under a virtual X server with Mesa software OpenGL
  xvfb xauth libgl1-mesa-dri mesa-utils
  # libFuzzer targets (packaging/fuzz.sh): Debian's clang and its sanitizer/fuzzer runtimes
  clang libclang-rt-14-dev
  # independent reference implementations used by the tests
  python3 python3-numpy python3-pydicom python3-pil python3-torch python3-torchvision python3-sklearn
  python3-scipy dcmtk dicom3tools
  # the sqlite3 tool: the worklist test edits an audit record with it, as a user could
  sqlite3
  # a real PACS for the networking tests (started by the tests on free ports, stopped by pid)
  orthanc orthanc-dicomweb
  # TLS and bearer-token checks in front of it (Debian's Orthanc 1.10 crashes on HTTPS)
  nginx-light openssl
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
