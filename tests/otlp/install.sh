#!/usr/bin/env bash
# The official OTLP protobuf definitions pinned in this folder, installed into a cache; prints
# its node_modules (exit 77 without npm: see ../npm_cache_install.sh).
exec bash "$(dirname "$0")/../npm_cache_install.sh" "$(dirname "$0")" otlp-proto
