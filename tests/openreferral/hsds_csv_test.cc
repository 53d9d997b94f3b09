// The tabular (CSV datapackage) form of HSDS, on the samples read in place.
#include "openreferral/hsds_csv.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "interchange/csv_tokenizer.h"
#include "testing/shared_data.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer::internal {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const char* const kCsvSamples[] = {"openreferral-hsds-3.0/csv", "openreferral-hsds-3.1-dev/csv",
                                   "oruk-3.0-profile/csv"};

std::string SampleDir(const char* sample) { return testing::SharedDataDir() + "/hsds/" + sample; }

std::vector<HsdsCsvFile> ReadFolder(const std::string& dir) {
  std::vector<HsdsCsvFile> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    files.push_back({e.path().filename().string(), s.str()});
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return files;
}

// Every non-empty cell of every table.
std::multiset<std::string> Cells(const std::vector<HsdsCsvFile>& files) {
  std::multiset<std::string> cells;
  for (const HsdsCsvFile& f : files) {
    std::string text = f.text;
    // Compare on the line ends the reader uses.
    for (size_t at; (at = text.find("\r\r\n")) != std::string::npos;) text.erase(at, 1);
    CsvTokenizer tokenizer(text);
    CsvRecord record;
    while (tokenizer.Next(&record)) {
      for (const std::string& c : record.fields) {
        if (!c.empty()) cells.insert(c);
      }
    }
  }
  return cells;
}

v1::HsdsDirectory Canonical(v1::HsdsDirectory d) {
  auto by_id = [](auto* list) {
    std::sort(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
  };
  by_id(d.mutable_organizations());
  by_id(d.mutable_services());
  by_id(d.mutable_locations());
  by_id(d.mutable_service_at_locations());
  std::sort(d.mutable_tables()->begin(), d.mutable_tables()->end(),
            [](const auto& a, const auto& b) { return a.name() < b.name(); });
  return d;
}

#define REQUIRE_HSDS_SAMPLES() \
  if (!fs::exists(SampleDir(kCsvSamples[0]))) GTEST_SKIP() << "no HSDS samples"

TEST(HsdsCsv, EverySampleRoundTripsFieldByFieldAndCellByCell) {
  REQUIRE_HSDS_SAMPLES();
  for (const char* sample : kCsvSamples) {
    SCOPED_TRACE(sample);
    const std::vector<HsdsCsvFile> files = ReadFolder(SampleDir(sample));
    v1::HsdsDirectory first;
    std::vector<std::string> notes;
    absl::Status s = ReadHsdsCsv(files, sample, /*skip_bad_records=*/true, &first, &notes);
    ASSERT_TRUE(s.ok()) << s;
    EXPECT_EQ(first.services_size(), 1);
    EXPECT_EQ(first.locations_size(), 1);
    EXPECT_EQ(first.organizations_size(), 1);
    std::vector<HsdsCsvFile> written;
    for (auto& [name, text] : WriteHsdsCsv(first)) written.push_back({name, text});
    v1::HsdsDirectory second;
    std::vector<std::string> notes2;
    s = ReadHsdsCsv(written, "written", true, &second, &notes2);
    ASSERT_TRUE(s.ok()) << s;
    google::protobuf::util::MessageDifferencer differencer;
    std::string diff;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(Canonical(first), Canonical(second))) << diff;
    // Independently of the model: every cell of the input is in the output.
    const std::multiset<std::string> in = Cells(files), out = Cells(written);
    for (const std::string& cell : in) EXPECT_TRUE(out.contains(cell)) << "lost: " << cell;
    EXPECT_EQ(written.size(), files.size());
  }
}

TEST(HsdsCsv, SchedulesGoToTheMostSpecificOwnerAndKeepTheOtherKeys) {
  REQUIRE_HSDS_SAMPLES();
  v1::HsdsDirectory d;
  std::vector<std::string> notes;
  ASSERT_TRUE(ReadHsdsCsv(ReadFolder(SampleDir(kCsvSamples[0])), "x", true, &d, &notes).ok());
  ASSERT_EQ(d.service_at_locations_size(), 1);
  ASSERT_EQ(d.service_at_locations(0).schedules_size(), 1);
  const v1::HsdsSchedule& schedule = d.service_at_locations(0).schedules(0);
  EXPECT_EQ(schedule.freq(), "WEEKLY");
  EXPECT_EQ(schedule.byday(), "TH,FR");
  EXPECT_EQ(schedule.count(), 3);
  bool has_service_key = false;
  for (const auto& p : schedule.extra()) has_service_key |= p.name() == "service_id";
  EXPECT_TRUE(has_service_key);
  EXPECT_EQ(d.services(0).languages(0).code(), "ur");
  EXPECT_EQ(d.services(0).minimum_age(), 12);
  EXPECT_EQ(d.locations(0).latitude(), 100);
}

TEST(HsdsCsv, SamplesStrictlyRefusedNamingFileLineRecordAndField) {
  REQUIRE_HSDS_SAMPLES();
  // 3.0: the attribute's link_id names no record of the sample.
  absl::StatusOr<HsdsImport> in = ImportHsds(SampleDir(kCsvSamples[0]));
  ASSERT_FALSE(in.ok());
  EXPECT_THAT(std::string(in.status().message()),
              HasSubstr("attributes.csv:2: record ae58cc39-8b70-4ab1-8aea-786882e5ac8e: field "
                        "\"link_id\": \"f28dd44b-0c4d-479f-8e90-4c52219a8b3c\" refers to no "
                        "service (dangling reference)"));
  // ORUK: \r\r\n is read; its attribute names no record either.
  absl::StatusOr<HsdsImport> oruk = ImportHsds(SampleDir(kCsvSamples[2]));
  ASSERT_FALSE(oruk.ok());
  EXPECT_THAT(std::string(oruk.status().message()),
              HasSubstr("oruk-3.0-profile/csv/attribute.csv:2: record "
                        "ae58cc39-8b70-4ab1-8aea-786882e5ac8e: field \"link_id\""));
  absl::StatusOr<HsdsImport> lenient = ImportHsds(SampleDir(kCsvSamples[2]), {.skip_bad_records = true});
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  const std::string report = lenient->report.ToString();
  EXPECT_THAT(report, HasSubstr("services.csv: \\r\\r\\n line ends read as \\r\\n"));
  EXPECT_THAT(report, HasSubstr("latitude\": 100 is outside [-90, 90]; location left out"));
  // ORUK's attribute.csv (singular) is read, but its link_id names no record either.
  EXPECT_THAT(report, HasSubstr("attribute.csv:2: record ae58cc39-8b70-4ab1-8aea-786882e5ac8e: "
                                "field \"link_id\": \"f28dd44b-0c4d-479f-8e90-4c52219a8b3c\" "
                                "refers to no service (dangling reference); row kept verbatim"));
  EXPECT_THAT(report, HasSubstr("no taxonomy term maps onto a topic; service left out"));
}

TEST(HsdsCsv, InvalidInputs) {
  auto message = [](std::vector<HsdsCsvFile> files) {
    v1::HsdsDirectory d;
    std::vector<std::string> notes;
    absl::Status s = ReadHsdsCsv(files, "dir", false, &d, &notes);
    return s.ok() ? std::string("ok") : std::string(s.message());
  };
  EXPECT_EQ(message({{"services.csv", "id,name,minimum_age\ns1,x,twelve\n"}}),
            "dir/services.csv:2: record s1: field \"minimum_age\": \"twelve\" is not a number");
  EXPECT_EQ(message({{"schedules.csv", "id,service_id,interval\nsc1,s1,2\n"},
                     {"services.csv", "id,name\ns1,x\n"},
                     {"schedules.csv", ""}}),
            "dir/schedules.csv: empty, no header");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,x\ns1,y\n"}}),
            "dir/services.csv:3: record s1: field \"id\": a duplicate id");
  EXPECT_EQ(message({{"services.csv", "id,name\n,x\n"}}), "dir/services.csv:2: field \"id\" is empty");
  EXPECT_EQ(message({{"services.csv", "name\nx\n"}}), "dir/services.csv:1: no \"id\" column");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1\n"}}), "dir/services.csv:2: 1 fields, the header has 2");
  EXPECT_EQ(message({{"services.csv", "id,id\ns1,s1\n"}}), "dir/services.csv:1: column \"id\" appears twice");
  {  // 200,000 columns: checked with a hash set (the scan per column was quadratic).
    std::string header = "id";
    for (int c = 0; c < 200'000; ++c) {
      header += ",c";
      header += std::to_string(c);
    }
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(message({{"services.csv", header + ",c17\n"}}),
              "dir/services.csv:1: column \"c17\" appears twice");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 5);
  }
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,x\n"},
                     {"schedules.csv", "id,service_id,interval\nsc1,s1,1.5\n"}}),
            "dir/schedules.csv:2: record sc1: field \"interval\": \"1.5\" is not a whole number");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,x\n"},
                     {"schedules.csv", "id,service_id\nsc1,s9\n"}}),
            "dir/schedules.csv:2: record sc1: field \"service_id\": \"s9\" refers to no service "
            "(dangling reference)");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,x\n"}, {"schedules.csv", "id,service_id\nsc1,\n"}}),
            "dir/schedules.csv:2: record sc1: no foreign key names its owner");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,x\n"},
                     {"attributes.csv", "id,link_id,taxonomy_term_id\na1,s1,t9\n"}}),
            "dir/attributes.csv:2: record a1: field \"taxonomy_term_id\": \"t9\" refers to no "
            "taxonomy term (dangling reference)");
  EXPECT_EQ(message({{"services.csv", "id,name\ns1,\"x\n"}}), "dir/services.csv: line 2: a quoted field never closes");
}

TEST(HsdsCsv, JsonDirectoryWrittenAsCsvReadsBackAsTheSameProviders) {
  REQUIRE_HSDS_SAMPLES();
  absl::StatusOr<HsdsImport> json = ImportHsds(
      testing::SharedDataDir() + "/hsds/openreferral-hsds-3.1-dev/service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(json.ok()) << json.status();
  const fs::path dir = fs::path(::testing::TempDir()) / "hsds_csv_export";
  fs::remove_all(dir);
  ASSERT_TRUE(ExportHsds(json->snapshot->hsds(), dir.string(), HsdsFormat::kCsv).ok());
  absl::StatusOr<HsdsImport> csv = ImportHsds(dir.string(), {.skip_bad_records = true});
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_EQ(csv->snapshot->providers_size(), 1);
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(json->snapshot->providers(0), csv->snapshot->providers(0))) << diff;
}

// One form per folder: an export of the other form over an old one is refused, and
// a folder that holds both anyway (made by hand) is refused by the reader, naming the
// JSON document, rather than read as whichever form the reader looks at first.
TEST(HsdsCsv, AFolderHoldsOneForm) {
  REQUIRE_HSDS_SAMPLES();
  absl::StatusOr<HsdsImport> json = ImportHsds(
      testing::SharedDataDir() + "/hsds/openreferral-hsds-3.1-dev/service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(json.ok()) << json.status();
  const fs::path dir = fs::path(::testing::TempDir()) / ("hsds_one_form_" + std::to_string(getpid()));
  fs::remove_all(dir);
  ASSERT_TRUE(ExportHsds(json->snapshot->hsds(), dir.string(), HsdsFormat::kCsv).ok());
  // CSV again over CSV is a re-export, and fine.
  ASSERT_TRUE(ExportHsds(json->snapshot->hsds(), dir.string(), HsdsFormat::kCsv).ok());
  absl::Status over = ExportHsds(json->snapshot->hsds(), dir.string(), HsdsFormat::kJson);
  EXPECT_EQ(over.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(over.message()), HasSubstr("holds a tabular datapackage"));
  EXPECT_FALSE(fs::exists(dir / "service_list.json"));

  const fs::path json_dir = dir.string() + "_json";
  fs::remove_all(json_dir);
  ASSERT_TRUE(ExportHsds(json->snapshot->hsds(), json_dir.string(), HsdsFormat::kJson).ok());
  absl::Status csv_over = ExportHsds(json->snapshot->hsds(), json_dir.string(), HsdsFormat::kCsv);
  EXPECT_EQ(csv_over.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(csv_over.message()), HasSubstr("holds the HSDS JSON document service_list.json"));

  fs::copy_file(json_dir / "service_list.json", dir / "service_list.json");
  absl::StatusOr<HsdsImport> both = ImportHsds(dir.string());
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(both.status().message()),
              HasSubstr("holds both a tabular datapackage (datapackage.json) and the HSDS JSON "
                        "document service_list.json"));
  fs::remove_all(dir);
  fs::remove_all(json_dir);
}

}  // namespace
}  // namespace wegwijzer::internal
