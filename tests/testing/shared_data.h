// The real public data in ../shared/data (see its SOURCES.md): Dutch municipality
// boundaries and postcode tables. It is not part of the repository; tests and
// benchmarks that need it skip when it is absent.
//
// The folder is WEGWIJZER_SHARED_DATA_DIR (set by CMake to
// ${PROJECT_SOURCE_DIR}/../shared/data) unless the environment variable
// WEGWIJZER_SHARED_DATA names another.
#ifndef WEGWIJZER_TESTS_TESTING_SHARED_DATA_H_
#define WEGWIJZER_TESTS_TESTING_SHARED_DATA_H_

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "wegwijzer/gazetteer.h"

#ifndef WEGWIJZER_SHARED_DATA_DIR
#define WEGWIJZER_SHARED_DATA_DIR "../shared/data"
#endif

namespace wegwijzer::testing {

inline std::string SharedDataDir() {
  if (const char* dir = std::getenv("WEGWIJZER_SHARED_DATA"); dir != nullptr && *dir) return dir;
  return WEGWIJZER_SHARED_DATA_DIR;
}
inline std::string MunicipalitiesGeoJson() {
  return SharedDataDir() + "/municipalities/gemeenten_2023_wgs84.geojson";
}
inline std::string MunicipalitiesCsv() {
  return SharedDataDir() + "/municipalities/gemeenten_2023.csv";
}
inline std::string PostcodesCsv() { return SharedDataDir() + "/pc4/pc4_centroids.csv"; }
inline std::string PostcodesGeoJson() {
  return SharedDataDir() + "/pc4/pc4_simplified_wgs84.geojson";
}

inline bool HaveSharedData() {
  return std::filesystem::exists(MunicipalitiesGeoJson()) &&
         std::filesystem::exists(PostcodesCsv());
}

// The gazetteer of the real data, loaded once per process; nullptr without the data
// (a failed load is reported by the test that loads it explicitly).
inline std::shared_ptr<const Gazetteer> RealGazetteer() {
  static const std::shared_ptr<const Gazetteer> gazetteer = [] {
    std::shared_ptr<const Gazetteer> g;
    if (!HaveSharedData()) return g;
    if (auto loaded = Gazetteer::Load(MunicipalitiesGeoJson(), PostcodesCsv()); loaded.ok()) {
      g = *loaded;
    }
    return g;
  }();
  return gazetteer;
}

}  // namespace wegwijzer::testing

#define WEGWIJZER_REQUIRE_SHARED_DATA()                                                    \
  do {                                                                                     \
    if (!::wegwijzer::testing::HaveSharedData()) {                                         \
      GTEST_SKIP() << "the real data is not in " << ::wegwijzer::testing::SharedDataDir() \
                   << " (see ../shared/data/SOURCES.md, or set WEGWIJZER_SHARED_DATA)";    \
    }                                                                                      \
  } while (0)

#endif  // WEGWIJZER_TESTS_TESTING_SHARED_DATA_H_
