// Internal: test seams of the output writer (WriteFileAtomically, interchange.h).
#ifndef WEGWIJZER_LIB_INTERCHANGE_OUTPUT_FILE_H_
#define WEGWIJZER_LIB_INTERCHANGE_OUTPUT_FILE_H_

namespace wegwijzer::internal {

// The moments of an atomic replacement, in order, at which a signal may arrive.
enum class OutputPhase {
  kCreated,  // the temporary file exists, empty
  kWritten,  // the contents are written, not yet flushed
  kSynced,   // flushed to disk, not yet renamed
  kRenamed,  // renamed over the target: the new file is in place
};

// Called at each phase of every replacement, for tests that interrupt a write (for
// example by raising SIGTERM) at a chosen moment. nullptr (the default) = no hook.
// Not thread-safe: set it before writing starts.
using OutputPhaseHook = void (*)(OutputPhase);
void SetOutputPhaseHookForTesting(OutputPhaseHook hook);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_INTERCHANGE_OUTPUT_FILE_H_
