// Hostile input to the CSV readers and the generator (issue "Hostile input"): every
// input is bounded (file size, first line, rows, field length, scenario size), out of
// memory is kResourceExhausted rather than std::bad_alloc, CR CR LF line ends keep the
// last column, and a request's postcode may not silently contradict its municipality
// or position. One case per class and per limit, each asserting the status code, the
// message and that nothing was produced.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "testing/shared_data.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/scenario.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRequestsHeader = "id,lat,lon,topics,municipality\n";

class HostileReaders : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = ::testing::TempDir() + "/wegwijzer_hostile." + std::to_string(::getpid()) + "." +
           info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Write(const std::string& name, std::string_view text) const {
    std::ofstream(Path(name), std::ios::binary) << text;
    return Path(name);
  }
  // A sparse file: `head`, then zero bytes up to `size` (no disk space used).
  std::string Sparse(const std::string& name, std::string_view head, off_t size) const {
    const std::string path = Write(name, head);
    EXPECT_EQ(::truncate(path.c_str(), size), 0);
    return path;
  }
  std::string dir_;
};

void ExpectError(const absl::Status& s, absl::StatusCode code,
                 std::initializer_list<std::string_view> parts) {
  EXPECT_EQ(s.code(), code) << s;
  for (std::string_view part : parts) {
    EXPECT_NE(std::string(s.message()).find(part), std::string::npos)
        << "'" << part << "' not in: " << s.message();
  }
}

TEST_F(HostileReaders, AFileLargerThanTheLimitIsRefusedByItsSize) {
  const std::string path = Sparse("big.csv", kRequestsHeader, off_t{2} << 30);  // 2 GiB
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv(path);
  ExpectError(read.status(), absl::StatusCode::kResourceExhausted,
              {path, "2147483648 bytes", "1 GiB", "max_file_bytes"});
  // The hint for the command line is the caller's to give.
  read = ReadRequestsCsv(path, {.limit_hint = "; --max-file-mb"});
  ExpectError(read.status(), absl::StatusCode::kResourceExhausted, {"max_file_bytes; --max-file-mb"});
}

TEST_F(HostileReaders, AHugeFileWithAMissingColumnIsRefusedForTheCostOfItsHeader) {
  // 2 GiB with no `topics` column, under a limit that allows it: the header is read and
  // checked first, so memory stays small. Measured in a child, whose peak is its own.
  const std::string path = Sparse("huge.csv", "id,lat,lon\nr1,52,5\n", off_t{2} << 30);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    absl::StatusOr<RequestsCsv> read =
        ReadRequestsCsv(path, {.max_file_bytes = int64_t{4} << 30});
    struct rusage usage;
    ::getrusage(RUSAGE_SELF, &usage);
    const std::string report = std::string(read.status().message()) + "\n" +
                               std::to_string(usage.ru_maxrss) + "\n";
    (void)!::write(fds[1], report.data(), report.size());
    _exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, n);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_NE(report.find("missing required column 'topics'"), std::string::npos) << report;
  const long peak_kb = std::stol(report.substr(report.rfind('\n', report.size() - 2) + 1));
  EXPECT_LT(peak_kb, 200 * 1024) << "peak memory to refuse the file";
}

TEST_F(HostileReaders, AnEndlessStreamIsRefusedAtItsFirstLine) {
  // /dev/zero: no line end ever comes. Refused after the header limit, not after
  // memory runs out.
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv("/dev/zero");
  ExpectError(read.status(), absl::StatusCode::kResourceExhausted,
              {"/dev/zero", "first line is longer than 1 MiB"});
}

TEST_F(HostileReaders, AStreamLongerThanTheLimitIsRefused) {
  // A FIFO whose writer sends a valid header and then more than the limit allows.
  ASSERT_EQ(::mkfifo(Path("pipe").c_str(), 0644), 0);
  // The reader stops early; the writer then gets EPIPE rather than a fatal SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  std::thread writer([&] {
    std::ofstream out(Path("pipe"), std::ios::binary);
    out << kRequestsHeader;
    const std::string row = "r,52,5,digid,\n";
    for (int i = 0; i < 100'000 && out; ++i) out << row;  // 1.4 MB
  });
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv(Path("pipe"), {.max_file_bytes = 1 << 20});
  writer.join();
  ExpectError(read.status(), absl::StatusCode::kResourceExhausted,
              {Path("pipe"), "more than 1 MiB", "max_file_bytes"});
}

TEST_F(HostileReaders, APipeIsReadWholeDespiteTheHeaderCheck) {
  // The header is checked before the rest is read; from a pipe, whose bytes can be
  // read once only, nothing may be lost by that.
  ASSERT_EQ(::mkfifo(Path("pipe").c_str(), 0644), 0);
  std::thread writer([&] {
    std::ofstream(Path("pipe"), std::ios::binary)
        << kRequestsHeader << "r1,52,5,digid,\nr2,52.1,5.1,benefits,GM0363\n";
  });
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv(Path("pipe"));
  writer.join();
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->requests.size(), 2u);
  EXPECT_EQ(read->requests[1].municipality, "GM0363");
}

TEST_F(HostileReaders, MoreRowsThanTheLimitEndTheRead) {
  std::string text(kRequestsHeader);
  for (int i = 0; i < 5; ++i) {  // appended: "r" + std::string&& trips GCC 12's -Wrestrict
    text += "r";
    text += std::to_string(i);
    text += ",52,5,digid,\n";
  }
  absl::StatusOr<RequestsCsv> read =
      ReadRequestsCsv(Write("rows.csv", text), {.max_rows = 3, .limit_hint = "; --max-rows"});
  ExpectError(read.status(), absl::StatusCode::kResourceExhausted,
              {"rows.csv: line 5: more than 3 rows", "max_rows; --max-rows"});
  // Even with --skip-bad-rows: the limit is not a bad row.
  read = ReadRequestsCsv(Path("rows.csv"), {.skip_bad_rows = true, .max_rows = 3});
  EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
  // At the limit it reads.
  EXPECT_TRUE(ReadRequestsCsv(Path("rows.csv"), {.max_rows = 5}).ok());
}

TEST_F(HostileReaders, AHeaderOfManyColumnsIsCheckedInLinearTime) {
  // 150,000 distinct unknown columns (0.9 MiB, under the header limit): the duplicate
  // check scanned every earlier column for each one (over 20 s for 100,000).
  std::string header;
  for (int c = 0; c < 150'000; ++c) {
    header += c ? ",c" : "c";
    header += std::to_string(c);
  }
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<ProvidersCsv> read = ParseProvidersCsv(header + "\n", "wide.csv");
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"wide.csv", "missing required column 'id'"});
  // A repeat at the very end is still found, and named.
  read = ParseProvidersCsv(header + ",c7\n", "wide.csv");
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"wide.csv", "duplicate column 'c7'"});
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
}

TEST_F(HostileReaders, AFieldLongerThanTheLimitMakesItsRowBad) {
  const std::string text = std::string(kRequestsHeader) + "r1,52,5,digid,\nr2,52,5,digid," +
                           std::string(17 << 20, 'G') + "\n";
  absl::StatusOr<RequestsCsv> read = ReadRequestsCsv(Write("field.csv", text));
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"field.csv:3: bad row: field 5 is 17825792 bytes long", "limit of 16777216",
               "max_field_bytes"});
  read = ReadRequestsCsv(Path("field.csv"), {.skip_bad_rows = true});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->requests.size(), 1u);
  // The same in providers.csv.
  absl::StatusOr<ProvidersCsv> providers = ParseProvidersCsv(
      "id,kind,lat,lon,topics,name\np1,ido,52,5,digid," + std::string(17 << 20, 'n') + "\n",
      "p.csv");
  ExpectError(providers.status(), absl::StatusCode::kInvalidArgument,
              {"p.csv:2: bad row: field 6 is", "max_field_bytes"});
}

TEST_F(HostileReaders, CrCrLfLineEndsKeepTheLastColumn) {
  // Exported ORUK files often end lines in CR CR LF; the municipality (the last
  // column) used to be read as "municipality\r" and dropped.
  absl::StatusOr<RequestsCsv> read = ParseRequestsCsv(
      "id,lat,lon,topics,municipality\r\r\nr1,52,5,digid,GM0363\r\r\n", "crcrlf.csv");
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->requests.size(), 1u);
  EXPECT_EQ(read->requests[0].municipality, "GM0363");
  EXPECT_TRUE(read->report.problems.empty()) << read->report.ToString();
}

TEST_F(HostileReaders, LoneCrLineEndsAreRefusedWithAHint) {
  absl::StatusOr<RequestsCsv> read =
      ParseRequestsCsv("id,lat,lon,topics\rr1,52,5,digid\r", "mac.csv");
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"mac.csv", "missing required column 'topics'", "lone CR"});
}

TEST_F(HostileReaders, ARequestsMunicipalityListIsABadRow) {
  absl::StatusOr<RequestsCsv> read = ParseRequestsCsv(
      std::string(kRequestsHeader) + "r1,52,5,digid,GM0363;GM0599\n", "list.csv");
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"list.csv:2: bad row: municipality: 'GM0363;GM0599' is a list; a request has "
               "one municipality"});
}

TEST_F(HostileReaders, APostcodeThatContradictsTheMunicipalityIsABadRow) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  const std::shared_ptr<const Gazetteer> gazetteer = testing::RealGazetteer();
  ASSERT_NE(gazetteer, nullptr);
  // 1011 is in Amsterdam (GM0363), not Rotterdam (GM0599).
  absl::StatusOr<RequestsCsv> read =
      ParseRequestsCsv("id,postcode,topics,municipality\nr1,1011,digid,GM0599\n", "pc.csv",
                       {.gazetteer = gazetteer.get()});
  ExpectError(read.status(), absl::StatusCode::kInvalidArgument,
              {"pc.csv:2: bad row: municipality: 'GM0599' contradicts postcode '1011', which "
               "lies in GM0363"});
  // Agreeing, it reads.
  read = ParseRequestsCsv("id,postcode,topics,municipality\nr1,1011,digid,GM0363\n", "pc.csv",
                          {.gazetteer = gazetteer.get()});
  ASSERT_TRUE(read.ok()) << read.status();
}

TEST_F(HostileReaders, APostcodeThatContradictsThePositionIsAWarningWithTheDistance) {
  WEGWIJZER_REQUIRE_SHARED_DATA();
  const std::shared_ptr<const Gazetteer> gazetteer = testing::RealGazetteer();
  ASSERT_NE(gazetteer, nullptr);
  // Postcode 1011 (Amsterdam centre) with a position in Rotterdam: the position is
  // used, the municipality is the position's, and the row says so.
  absl::StatusOr<RequestsCsv> read = ParseRequestsCsv(
      "id,lat,lon,postcode,topics\nr1,51.9225,4.4792,1011,digid\n", "pos.csv",
      {.gazetteer = gazetteer.get()});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->requests.size(), 1u);
  EXPECT_EQ(read->requests[0].municipality, "GM0599");
  const std::string report = read->report.ToString();
  EXPECT_NE(report.find("pos.csv:2: warning: postcode '1011' and position (51.9225, 4.4792) "
                        "disagree: the position is 57"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("in GM0599 rather than GM0363; the position is used"), std::string::npos)
      << report;
  // A position inside the postcode's own area says nothing.
  read = ParseRequestsCsv("id,lat,lon,postcode,topics\nr1,52.3719,4.9055,1011,digid\n",
                          "pos.csv", {.gazetteer = gazetteer.get()});
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->report.problems.empty()) << read->report.ToString();
}

TEST_F(HostileReaders, AnAbsurdScenarioSizeIsAnErrorNotAnExhaustedMachine) {
  absl::StatusOr<Scenario> s = GenerateScenario({.requests = 2147483647});
  ExpectError(s.status(), absl::StatusCode::kResourceExhausted,
              {"ScenarioOptions::requests 2147483647 is more than 10000000"});
  s = GenerateScenario({.providers = 100'000'000});
  ExpectError(s.status(), absl::StatusCode::kResourceExhausted,
              {"ScenarioOptions::providers 100000000 is more than 5000000"});
}

}  // namespace
}  // namespace wegwijzer
