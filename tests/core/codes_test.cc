#include "wegwijzer/codes.h"

#include "gtest/gtest.h"

namespace wegwijzer {
namespace {

TEST(Codes, EveryTopicCodeRoundTrips) {
  for (int t = 0; t < kTopicCount; ++t) {
    const Topic topic = static_cast<Topic>(t);
    ASSERT_EQ(TopicFromCode(TopicCode(topic)), topic);
  }
  EXPECT_EQ(TopicFromCode("benefits"), Topic::kBenefits);
  EXPECT_EQ(TopicFromCode("education"), Topic::kEducation);
}

TEST(Codes, CodesAreCaseSensitiveAndExact) {
  EXPECT_FALSE(TopicFromCode("DigiD"));
  EXPECT_FALSE(TopicFromCode(" digid"));
  EXPECT_FALSE(TopicFromCode(""));
  EXPECT_FALSE(ModeFromCode("In_Person"));
  EXPECT_FALSE(AccessFromCode("wheel chair"));
  EXPECT_FALSE(ProviderKindFromCode("IDO"));
}

TEST(Codes, ModesAccessAndKindsMatchTheContract) {
  EXPECT_EQ(ModeFromCode("in_person"), Mode::kInPerson);
  EXPECT_EQ(ModeFromCode("home_visit"), Mode::kHomeVisit);
  EXPECT_EQ(ModeFromCode("phone"), Mode::kPhone);
  EXPECT_EQ(ModeFromCode("video"), Mode::kVideo);
  for (const char* code : {"wheelchair", "hearing_loop", "quiet_room", "easy_language",
                           "visual_aid"}) {
    EXPECT_TRUE(AccessFromCode(code)) << code;
  }
  for (const char* code :
       {"ido", "library", "welfare", "volunteer", "phone", "municipal", "other"}) {
    EXPECT_TRUE(ProviderKindFromCode(code)) << code;
  }
  EXPECT_TRUE(kPlaceFeatures.Contains(Access::kWheelchair));
  EXPECT_TRUE(kServiceFeatures.Contains(Access::kEasyLanguage));
  EXPECT_FALSE(kPlaceFeatures.Intersects(kServiceFeatures));
}

TEST(Language, AcceptsIso6391AndNothingElse) {
  for (const char* code : {"nl", "en", "ar", "tr", "pl", "fy", "aa", "zu", "uk"}) {
    auto language = Language::FromCode(code);
    ASSERT_TRUE(language) << code;
    EXPECT_EQ(language->code(), code);
  }
  for (const char* code : {"NL", "xx", "nld", "n", "", "zz", "qq", "n l"}) {
    EXPECT_FALSE(Language::FromCode(code)) << code;
  }
}

TEST(LanguageSet, IntersectsAcrossWords) {
  LanguageSet a, b;
  a.Add(*Language::FromCode("aa"));   // index 0, first word
  a.Add(*Language::FromCode("zu"));   // index 183, third word
  b.Add(*Language::FromCode("nl"));
  EXPECT_FALSE(a.Intersects(b));
  b.Add(*Language::FromCode("zu"));
  EXPECT_TRUE(a.Intersects(b));
  EXPECT_EQ(a.ToString(), "aa;zu");
  EXPECT_EQ(a.codes().size(), 2u);
}

TEST(EnumSet, SetAlgebra) {
  TopicSet needed{Topic::kDigid, Topic::kBenefits};
  TopicSet offered{Topic::kDigid, Topic::kBenefits, Topic::kTaxes};
  EXPECT_TRUE(offered.ContainsAll(needed));
  EXPECT_FALSE(needed.ContainsAll(offered));
  EXPECT_EQ((offered - needed), TopicSet{Topic::kTaxes});
  EXPECT_EQ(ToString(offered), "digid;benefits;taxes");
  EXPECT_EQ(ToString(kAllModes, ","), "in_person,home_visit,phone,video");
}

}  // namespace
}  // namespace wegwijzer
