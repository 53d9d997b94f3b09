// WriteFileAtomically as a Unix tool (interchange.h): standard output, symbolic links
// written through, devices and FIFOs written directly, long names, and a signal at
// every phase of a replacement leaving the old file or the new one and no temporary.
#include "interchange/output_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "testing/cli_runner.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;
using testing::Slurp;

class OutputFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "/wegwijzer_output_test." + std::to_string(::getpid()) + "." +
           info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  // Every name in `dir` (default: the test folder), sorted.
  std::vector<std::string> Names(const std::string& dir = "") const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir.empty() ? dir_ : dir)) {
      names.push_back(e.path().filename());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
  std::string dir_;
};

void Spit(const std::string& path, const std::string& contents) {
  std::ofstream(path, std::ios::binary) << contents;
}

TEST_F(OutputFile, ReplacesARegularFileKeepingItsPermissions) {
  Spit(Path("out.csv"), "old\n");
  ASSERT_EQ(::chmod(Path("out.csv").c_str(), 0600), 0);
  ASSERT_TRUE(WriteFileAtomically(Path("out.csv"), "new\n").ok());
  EXPECT_EQ(Slurp(Path("out.csv")), "new\n");
  struct stat st;
  ASSERT_EQ(::stat(Path("out.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Names(), std::vector<std::string>{"out.csv"});
}

TEST_F(OutputFile, ANewFileIsReadableByOthers) {
  ASSERT_TRUE(WriteFileAtomically(Path("new.csv"), "x").ok());
  struct stat st;
  ASSERT_EQ(::stat(Path("new.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(OutputFile, DashIsStandardOutput) {
  // In a child whose standard output is a file, so the test's own stays clean.
  const std::string captured = Path("stdout");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    _exit(WriteFileAtomically("-", "a,b\n1,2\n").ok() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Slurp(captured), "a,b\n1,2\n");
  EXPECT_EQ(Names(), std::vector<std::string>{"stdout"});  // no file named "-"
}

TEST_F(OutputFile, ASymlinkIsWrittenThroughAndStaysALink) {
  fs::create_directories(Path("real"));
  Spit(Path("real/target.csv"), "old\n");
  fs::create_symlink("real/target.csv", Path("link.csv"));
  ASSERT_TRUE(WriteFileAtomically(Path("link.csv"), "new\n").ok());
  EXPECT_TRUE(fs::is_symlink(Path("link.csv")));
  EXPECT_EQ(Slurp(Path("real/target.csv")), "new\n");
  // The temporary file was made beside the target (same file system), and is gone.
  EXPECT_EQ(Names(Path("real")), std::vector<std::string>{"target.csv"});
  EXPECT_EQ(Names(), (std::vector<std::string>{"link.csv", "real"}));
}

TEST_F(OutputFile, ADanglingSymlinkCreatesItsTarget) {
  fs::create_symlink(Path("absent.csv"), Path("link.csv"));
  ASSERT_TRUE(WriteFileAtomically(Path("link.csv"), "made\n").ok());
  EXPECT_TRUE(fs::is_symlink(Path("link.csv")));
  EXPECT_EQ(Slurp(Path("absent.csv")), "made\n");
}

TEST_F(OutputFile, AChainOfSymlinksIsFollowedAndALoopRefused) {
  Spit(Path("end.csv"), "old");
  fs::create_symlink("end.csv", Path("b"));
  fs::create_symlink("b", Path("a"));
  ASSERT_TRUE(WriteFileAtomically(Path("a"), "new").ok());
  EXPECT_EQ(Slurp(Path("end.csv")), "new");
  EXPECT_TRUE(fs::is_symlink(Path("a")) && fs::is_symlink(Path("b")));

  fs::create_symlink("loop2", Path("loop1"));
  fs::create_symlink("loop1", Path("loop2"));
  const absl::Status s = WriteFileAtomically(Path("loop1"), "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("symbolic links"), std::string::npos) << s;
}

TEST_F(OutputFile, AFifoIsWrittenDirectly) {
  ASSERT_EQ(::mkfifo(Path("pipe").c_str(), 0644), 0);
  std::string received;
  std::thread reader([&] { received = Slurp(Path("pipe")); });
  ASSERT_TRUE(WriteFileAtomically(Path("pipe"), "through the pipe\n").ok());
  reader.join();
  EXPECT_EQ(received, "through the pipe\n");
  struct stat st;
  ASSERT_EQ(::lstat(Path("pipe").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode)) << "the FIFO was replaced";
}

TEST_F(OutputFile, ACharacterDeviceIsWrittenDirectlyNotReplaced) {
  // A private null device in the test folder (mknod needs root, as CI runs), so that a
  // bug here cannot replace the machine's /dev/null.
  if (::mknod(Path("null").c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
    GTEST_SKIP() << "mknod needs root: " << std::strerror(errno);
  }
  ASSERT_TRUE(WriteFileAtomically(Path("null"), "discarded").ok());
  struct stat st;
  ASSERT_EQ(::lstat(Path("null").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode)) << "the device was replaced by a regular file";
  EXPECT_EQ(Names(), std::vector<std::string>{"null"});
}

TEST_F(OutputFile, ALongestLegalFileNameWorks) {
  const std::string name(255, 'n');  // NAME_MAX on Linux file systems
  ASSERT_TRUE(WriteFileAtomically(Path(name), "long").ok());
  EXPECT_EQ(Slurp(Path(name)), "long");
  ASSERT_TRUE(WriteFileAtomically(Path(name), "again").ok());
  EXPECT_EQ(Slurp(Path(name)), "again");
  EXPECT_EQ(Names(), std::vector<std::string>{name});
}

TEST_F(OutputFile, ADirectoryIsRefusedByName) {
  fs::create_directories(Path("folder"));
  const absl::Status s = WriteFileAtomically(Path("folder"), "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(Path("folder")), std::string::npos) << s;
  EXPECT_NE(s.message().find("directory"), std::string::npos) << s;
}

TEST_F(OutputFile, AMissingFolderIsAnErrorAndLeavesNothing) {
  const absl::Status s = WriteFileAtomically(Path("no/such/out.csv"), "x");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("no/such/out.csv"), std::string::npos) << s;
  EXPECT_TRUE(Names().empty());
}

TEST_F(OutputFile, SameFileSeesThroughLinksAndNames) {
  Spit(Path("in.csv"), "x");
  fs::create_symlink("in.csv", Path("alias.csv"));
  EXPECT_TRUE(IsSameFile(Path("in.csv"), Path("alias.csv")));
  EXPECT_TRUE(IsSameFile(Path("in.csv"), dir_ + "/./in.csv"));
  Spit(Path("other.csv"), "x");
  EXPECT_FALSE(IsSameFile(Path("in.csv"), Path("other.csv")));
  EXPECT_FALSE(IsSameFile(Path("in.csv"), Path("absent.csv")));
  EXPECT_FALSE(IsSameFile("-", "-"));
}

// The phase at which the child raises SIGTERM (set before fork, read in the hook).
internal::OutputPhase kill_at;
void RaiseAtPhase(internal::OutputPhase phase) {
  if (phase == kill_at) ::raise(SIGTERM);
}

TEST_F(OutputFile, ASignalAtEveryPhaseLeavesTheOldOrTheNewFileAndNoTemporary) {
  const std::string old_text = "old contents\n";
  const std::string new_text(1 << 20, 'n');  // large enough that a half file would show
  for (internal::OutputPhase phase :
       {internal::OutputPhase::kCreated, internal::OutputPhase::kWritten,
        internal::OutputPhase::kSynced, internal::OutputPhase::kRenamed}) {
    SCOPED_TRACE(static_cast<int>(phase));
    Spit(Path("plan.csv"), old_text);
    kill_at = phase;
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      RemoveTemporaryFilesOnSignal();
      internal::SetOutputPhaseHookForTesting(RaiseAtPhase);
      (void)WriteFileAtomically(Path("plan.csv"), new_text);
      _exit(0);  // not reached: the signal ends the child
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the child was not killed by the signal";
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
    EXPECT_EQ(Names(), std::vector<std::string>{"plan.csv"}) << "a temporary file remains";
    const std::string now = Slurp(Path("plan.csv"));
    if (phase == internal::OutputPhase::kRenamed) {
      EXPECT_EQ(now, new_text);
    } else {
      EXPECT_EQ(now, old_text);
    }
  }
}

TEST_F(OutputFile, WithoutTheHandlersASignalWouldLeaveTheTemporary) {
  // The control for the test above: it can fail. With default signal handling the
  // temporary file survives a kill between creation and rename.
  Spit(Path("plan.csv"), "old");
  kill_at = internal::OutputPhase::kWritten;
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    internal::SetOutputPhaseHookForTesting(RaiseAtPhase);
    (void)WriteFileAtomically(Path("plan.csv"), "new");
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(Names().size(), 2u);
  EXPECT_EQ(Slurp(Path("plan.csv")), "old");
}

}  // namespace
}  // namespace wegwijzer
