#!/usr/bin/env bash
# Zero-downtime restarts through fdhold, measured: the measurement is the one
# the test suite runs (tests/t-fdhold-restart.sh), kept in tests/helpers so
# that no test depends on bench/.
#   bench/fdhold-restart.sh [BUILD_DIR] [RESTARTS]
exec bash "$(dirname "$0")/../tests/helpers/fdhold-restart.sh" "$@"
