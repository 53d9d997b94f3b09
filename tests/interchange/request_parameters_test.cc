// ParseRequestParameters (interchange.h): one request from named parameters, read by
// requests.csv's rules; and the HSDS page helpers of openreferral.h.
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;
using Parameters = std::vector<std::pair<std::string, std::string>>;

TEST(ParseRequestParameters, ReadsAsOneRowOfRequestsCsv) {
  absl::StatusOr<Request> r = ParseRequestParameters(
      Parameters{{"lat", "52.5"}, {"lon", "6.1"}, {"topics", "digid,benefits"},
                 {"languages", "nl;ar"}, {"modes", "in_person,phone"}, {"max_km", "2.5"},
                 {"priority", "3"}, {"age", "70"}, {"can_pay", "no"}});
  ASSERT_TRUE(r.ok()) << r.status();
  // The same row through the file reader: the same request.
  absl::StatusOr<RequestsCsv> csv = ParseRequestsCsv(
      "id,lat,lon,topics,languages,modes,max_km,priority,age,can_pay\n"
      "query,52.5,6.1,digid;benefits,nl;ar,in_person;phone,2.5,3,70,no\n",
      "requests.csv");
  ASSERT_TRUE(csv.ok()) << csv.status();
  const Request& want = csv->requests.at(0);
  EXPECT_EQ(r->id, "query");
  EXPECT_EQ(r->position.lat_deg, want.position.lat_deg);
  EXPECT_EQ(r->topics, want.topics);
  EXPECT_TRUE(r->languages == want.languages);
  EXPECT_EQ(r->modes, want.modes);
  EXPECT_EQ(r->max_km, 2.5);
  EXPECT_EQ(r->priority, 3);
  EXPECT_EQ(r->age, 70);
  EXPECT_FALSE(r->can_pay);
  absl::StatusOr<Request> named =
      ParseRequestParameters(Parameters{{"id", "x,1"}, {"lat", "1"}, {"lon", "2"}, {"topics", "taxes"}});
  ASSERT_TRUE(named.ok()) << named.status();
  EXPECT_EQ(named->id, "x,1");  // a comma in a value is quoted, not a new column
}

TEST(ParseRequestParameters, InvalidInputs) {
  struct Case {
    Parameters parameters;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{{"lat", "1"}, {"lon", "2"}}, "topics: missing"},
      {{{"lat", "1"}, {"topics", "digid"}}, "lon: missing"},
      {{{"lon", "1"}, {"topics", "digid"}}, "lat: missing"},
      {{{"topics", "digid"}}, "position: missing"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "digid"}, {"colour", "red"}}, "unknown parameter 'colour'"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "digid"}, {"lat", "3"}}, "'lat' is given twice"},
      {{{"lat", "91"}, {"lon", "2"}, {"topics", "digid"}}, "lat"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "cake"}}, "topics: unknown code 'cake'"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "digid"}, {"max_km", "1,5"}}, "max_km"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "digid"}, {"age", "200"}}, "age: '200' is outside"},
      {{{"lat", "1"}, {"lon", "2"}, {"topics", "digid"}, {"within_days", "2"}}, "within_days"},
      {{{"postcode", "8011"}, {"topics", "digid"}}, "postcode"},  // no gazetteer
      {{{"postcode", "80"}, {"topics", "digid"}}, "postcode"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Request> r = ParseRequestParameters(c.parameters);
    ASSERT_FALSE(r.ok()) << c.message;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.message;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message));
  }
}

TEST(HsdsServices, FilterAndPage) {
  v1::HsdsDirectory d;
  for (int i = 0; i < 5; ++i) {
    v1::HsdsService* s = d.add_services();
    // Appended, not "s" + to_string(i): GCC 12 reports a false -Wrestrict on that.
    std::string id = "s";
    id += std::to_string(i);
    s->set_id(id);
    s->set_name(i % 2 ? "Digicafe" : "Klik en Tik");
    s->set_organization_id(i < 3 ? "o1" : "o2");
    s->add_attributes()->mutable_taxonomy_term()->set_id(i == 4 ? "t2" : "t1");
  }
  // An independent count for each filter.
  EXPECT_THAT(FindHsdsServices(d, {}), ::testing::ElementsAre(0, 1, 2, 3, 4));
  EXPECT_THAT(FindHsdsServices(d, {.search = "DIGICAFE"}), ::testing::ElementsAre(1, 3));
  EXPECT_THAT(FindHsdsServices(d, {.search = "klik tik"}), ::testing::ElementsAre(0, 2, 4));
  EXPECT_THAT(FindHsdsServices(d, {.search = "klik cafe"}), ::testing::ElementsAre());
  EXPECT_THAT(FindHsdsServices(d, {.organization_id = "o2"}), ::testing::ElementsAre(3, 4));
  EXPECT_THAT(FindHsdsServices(d, {.organization_id = "o2", .taxonomy_term_id = "t1"}),
              ::testing::ElementsAre(3));
  const std::vector<std::string> services = FormatHsdsServices(d);
  ASSERT_EQ(services.size(), 5u);
  EXPECT_THAT(services[0], HasSubstr("\"id\":\"s0\""));
  const std::string page = FormatHsdsPage(std::vector<std::string>{services[2], services[3]}, 5, 2, 2);
  EXPECT_THAT(page, HasSubstr("\"total_items\":5,\"total_pages\":3,\"page_number\":2,\"size\":2,"
                              "\"first_page\":false,\"last_page\":false,\"empty\":false"));
  EXPECT_THAT(FormatHsdsPage({}, 0, 1, 50), HasSubstr("\"total_pages\":1,\"page_number\":1,\"size\":0,"
                                                     "\"first_page\":true,\"last_page\":true,\"empty\":true"));
}

}  // namespace
}  // namespace wegwijzer
