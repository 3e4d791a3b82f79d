#!/usr/bin/env bash
# Cost per call of the JavaScript runtime helper next to the OpenTelemetry JS SDK: installs the
# SDK pinned in tests/js-otel into a cache and runs bench/runtime_javascript.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
modules="$(tests/js-otel/install.sh)" || modules=""
exec node bench/runtime_javascript.mjs $modules
