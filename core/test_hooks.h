// Test-only hooks of the batch run, driven by environment variables, so that end-to-end tests
// can stop a real run at an exact point instead of racing it. Unset (always, outside tests),
// each costs one cached getenv.
//   TELINJECT_TEST_KILL_AFTER_WRITES=N   SIGKILL the process right after its N-th file write
//   TELINJECT_TEST_PAUSE_BEFORE_REPLACE=DIR
//                                        before replacing a file in place: create DIR/ready,
//                                        then wait (at most 30 s) until DIR/go exists
#pragma once

#include <filesystem>

namespace telinject::test_hooks {

/// Called after each file the run wrote. Thread-safe.
void after_file_written();

/// Called after a file was read and processed, right before it is replaced. Thread-safe.
void before_replace(const std::filesystem::path& file);

}  // namespace telinject::test_hooks
