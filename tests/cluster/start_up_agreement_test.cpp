// What rank 0 reports when ranks could not read their inputs (cluster/start_up_agreement.hpp),
// and the agreement on one process.
#include "cluster/start_up_agreement.hpp"

#include <gtest/gtest.h>

namespace patchnas::cluster {
namespace {

using Errors = std::vector<std::optional<std::string>>;
using Lines = std::vector<std::string>;

TEST(RefusalLines, TheSameErrorOnEveryRankIsOneLineWithoutRanks) {
  EXPECT_EQ(refusal_lines(Errors{"a.json: seed: not an integer", "a.json: seed: not an integer",
                                 "a.json: seed: not an integer"}),
            Lines{"a.json: seed: not an integer"});
}

TEST(RefusalLines, AnErrorOfSomeRanksNamesThem) {
  EXPECT_EQ(refusal_lines(Errors{std::nullopt, "x"}), Lines{"rank 1: x"});
  EXPECT_EQ(refusal_lines(Errors{"x", std::nullopt, std::nullopt}), Lines{"rank 0: x"});
  EXPECT_EQ(refusal_lines(Errors{std::nullopt, "x", "x"}), Lines{"ranks 1-2: x"});
}

TEST(RefusalLines, OneLinePerDistinctErrorInOrderOfItsFirstRank) {
  EXPECT_EQ(refusal_lines(Errors{"b", "a", "b", "b", std::nullopt, "b", "a"}),
            (Lines{"ranks 0, 2-3, 5: b", "ranks 1, 6: a"}));
  EXPECT_EQ(refusal_lines(Errors{"a", "b"}), (Lines{"rank 0: a", "rank 1: b"}));
}

TEST(StartUpAgreement, OnOneProcessAnErrorPropagatesAsItWas) {
  ASSERT_EQ(size(), 1);
  EXPECT_EQ(read_on_every_rank([] { return 7; }), 7);
  EXPECT_THROW(read_on_every_rank([]() -> int { throw std::invalid_argument("bad"); }),
               std::invalid_argument);
}

TEST(StartUpAgreement, AnErrorRefusesTheInputsWithItsMessage) {
  EXPECT_NO_THROW(agree_inputs_were_read(std::nullopt));
  try {
    agree_inputs_were_read("a.json: seed: not an integer");
    FAIL() << "no InputsRefused";
  } catch (const InputsRefused& e) {
    EXPECT_EQ(e.lines(), Lines{"a.json: seed: not an integer"});
  }
}

}  // namespace
}  // namespace patchnas::cluster
