// The replay checkpoint's codec and the start plan: what a state dir accepts as a resume, a
// continuation or a fresh input, and what it refuses.
#include "runtime/replay/replay_checkpoint.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cx {
namespace {

InputMark Mark(std::string path, uint64_t offset, uint64_t line, std::string head,
               std::string tail) {
  return InputMark{std::move(path), offset, line, std::move(head), std::move(tail)};
}

// An input that holds the marks listed in `holds` and starts like those in `starts`.
class FakeInput final : public InputView {
 public:
  FakeInput(uint64_t size, std::vector<InputMark> holds, std::vector<InputMark> starts = {},
            bool identifiable = true)
      : size_(size),
        holds_(std::move(holds)),
        starts_(std::move(starts)),
        identifiable_(identifiable) {
    starts_.insert(starts_.end(), holds_.begin(), holds_.end());
  }
  bool Identifiable() const override { return identifiable_; }
  uint64_t Size() const override { return size_; }
  bool Holds(const InputMark& mark) const override { return Has(holds_, mark); }
  bool StartsLike(const InputMark& mark) const override { return Has(starts_, mark); }

 private:
  static bool Has(const std::vector<InputMark>& marks, const InputMark& mark) {
    for (const InputMark& m : marks) {
      if (m == mark) return true;
    }
    return false;
  }
  uint64_t size_;
  std::vector<InputMark> holds_, starts_;
  bool identifiable_;
};

constexpr std::array<int64_t, kReplayOutputs> kFiles{0, 0, kOutputNone};

ReplayCheckpoint Interrupted(const InputMark& mark) {
  ReplayCheckpoint checkpoint;
  checkpoint.input = mark;
  checkpoint.outputs = {1200, 5400, kOutputNone};
  return checkpoint;
}

TEST(ReplayCheckpoint, RoundTripsThroughItsText) {
  ReplayCheckpoint checkpoint = Interrupted(Mark("/data/day 1.jsonl", 123456, 789, "ab", "cd"));
  checkpoint.outputs[2] = kOutputStdout;
  ReplayCheckpoint back;
  ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(checkpoint), back));
  EXPECT_EQ(back, checkpoint);

  checkpoint.finished = true;
  checkpoint.input = Mark("-", 10, 2, "", "");
  ASSERT_TRUE(DecodeCheckpoint(EncodeCheckpoint(checkpoint), back));
  EXPECT_EQ(back, checkpoint);

  std::vector<InputMark> consumed{Mark("a b", 1, 1, "x", "y"), Mark("c", 2, 2, "z", "w")};
  std::vector<InputMark> decoded;
  ASSERT_TRUE(DecodeConsumed(EncodeConsumed(consumed), decoded));
  EXPECT_EQ(decoded, consumed);
}

TEST(ReplayCheckpoint, RejectsWhatItDidNotWrite) {
  ReplayCheckpoint back;
  EXPECT_FALSE(DecodeCheckpoint("", back));
  EXPECT_FALSE(DecodeCheckpoint("v2 0 1 2 3 4 5 a b path", back));
  EXPECT_FALSE(DecodeCheckpoint("v1 0 1 2 3 4 5 a b", back));  // no path
  EXPECT_FALSE(DecodeCheckpoint("v1 7 1 2 3 4 5 a b p", back));
  std::vector<InputMark> consumed;
  EXPECT_FALSE(DecodeConsumed("v1 1 1 x\n", consumed));
}

TEST(PlanReplayStart, NoCheckpointOrNewDataStartsFresh) {
  InputMark old = Mark("old.jsonl", 5000, 50, "h1", "t1");
  FakeInput input(9000, {});
  EXPECT_EQ(PlanReplayStart(std::nullopt, {}, input, "S", kFiles).kind, ReplayStart::Kind::kFresh);
  ReplayCheckpoint finished = Interrupted(old);
  finished.finished = true;
  EXPECT_EQ(PlanReplayStart(finished, {old}, input, "S", kFiles).kind, ReplayStart::Kind::kFresh);
}

TEST(PlanReplayStart, AnInterruptedRunResumesWithTheSameInputAndOutputs) {
  InputMark mark = Mark("in.jsonl", 5000, 50, "h", "t");
  FakeInput input(9000, {mark});
  ReplayStart start = PlanReplayStart(Interrupted(mark), {}, input, "S", kFiles);
  ASSERT_EQ(start.kind, ReplayStart::Kind::kResume) << start.message;
  EXPECT_EQ(start.offset, 5000u);
  EXPECT_EQ(start.line, 50u);
  EXPECT_EQ(start.outputs, Interrupted(mark).outputs);

  // Other outputs than the interrupted run's: refused, naming the flag.
  start = PlanReplayStart(Interrupted(mark), {}, input, "S", {0, kOutputNone, kOutputNone});
  EXPECT_EQ(start.kind, ReplayStart::Kind::kRefuse);
  EXPECT_NE(start.message.find("--signals was a file, is not given"), std::string::npos)
      << start.message;
}

TEST(PlanReplayStart, AnInterruptedRunRefusesAnyOtherInput) {
  InputMark mark = Mark("in.jsonl", 5000, 50, "h", "t");
  FakeInput other(9000, {});
  ReplayStart start = PlanReplayStart(Interrupted(mark), {}, other, "S", kFiles);
  EXPECT_EQ(start.kind, ReplayStart::Kind::kRefuse);
  EXPECT_EQ(start.message,
            "state dir S holds a replay of in.jsonl interrupted after line 50; run it again with "
            "that input to resume, or use another --state-dir");
  FakeInput stdin_input(0, {}, {}, false);
  EXPECT_EQ(PlanReplayStart(Interrupted(mark), {}, stdin_input, "S", kFiles).kind,
            ReplayStart::Kind::kRefuse);
  // An interrupted replay of standard input cannot be resumed at all.
  FakeInput any(9000, {});
  start = PlanReplayStart(Interrupted(Mark("-", 10, 1, "", "")), {}, any, "S", kFiles);
  EXPECT_EQ(start.kind, ReplayStart::Kind::kRefuse);
  EXPECT_NE(start.message.find("standard input"), std::string::npos) << start.message;
}

TEST(PlanReplayStart, AnInputReplayedBeforeIsRefusedOrContinuedWhenItGrew) {
  InputMark first = Mark("day1.jsonl", 5000, 50, "h1", "t1");
  InputMark second = Mark("day2.jsonl", 7000, 70, "h2", "t2");
  std::vector<InputMark> consumed{first, second};

  FakeInput again(5000, {first});
  ReplayStart start = PlanReplayStart(std::nullopt, consumed, again, "S", kFiles);
  EXPECT_EQ(start.kind, ReplayStart::Kind::kRefuse);
  EXPECT_EQ(start.message,
            "input was already replayed into state dir S (as day1.jsonl, 50 lines); nothing new "
            "to process");

  FakeInput grown(6000, {first});
  start = PlanReplayStart(std::nullopt, consumed, grown, "S", kFiles);
  ASSERT_EQ(start.kind, ReplayStart::Kind::kContinue) << start.message;
  EXPECT_EQ(start.offset, 5000u);
  EXPECT_EQ(start.line, 50u);

  // Same first bytes, different after: the same events again, most likely.
  FakeInput edited(6000, {}, {second});
  start = PlanReplayStart(std::nullopt, consumed, edited, "S", kFiles);
  EXPECT_EQ(start.kind, ReplayStart::Kind::kRefuse);
  EXPECT_NE(start.message.find("starts like day2.jsonl"), std::string::npos) << start.message;
}

}  // namespace
}  // namespace cx
