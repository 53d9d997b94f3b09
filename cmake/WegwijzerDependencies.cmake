# Every dependency comes from Debian 12's packages (see .ci/install-deps).
find_package(Protobuf 3.21 REQUIRED)   # CMake's FindProtobuf: Debian ships no protobuf config
find_package(absl CONFIG REQUIRED)
# Boost.Geometry and Boost.Graph are header-only; they are used inside lib/ only.
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)
# The referral store's embedded backend; only lib/referral includes sqlite3.h.
find_package(SQLite3 REQUIRED)
# Its shared backend (libpq only; lib/referral/postgres_store.cc includes libpq-fe.h).
find_package(PostgreSQL REQUIRED)

if(WEGWIJZER_BUILD_TESTS)
  find_package(GTest CONFIG REQUIRED)
endif()
if(WEGWIJZER_BUILD_BENCHMARKS)
  find_package(benchmark CONFIG REQUIRED)
endif()
