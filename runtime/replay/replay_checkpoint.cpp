#include "runtime/replay/replay_checkpoint.h"

#include <sstream>

#include <fmt/format.h>

namespace cx {
namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::string_view kNoHash = "-";

// "<offset> <line> <head> <tail> <path>": the path last, so it may hold spaces.
void AppendMark(const InputMark& mark, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{} {} {} {} {}", mark.offset, mark.line,
                 mark.head_sha.empty() ? kNoHash : mark.head_sha,
                 mark.tail_sha.empty() ? kNoHash : mark.tail_sha, mark.path);
}

bool ReadMark(std::istringstream& in, InputMark& mark) {
  if (!(in >> mark.offset >> mark.line >> mark.head_sha >> mark.tail_sha)) {
    return false;
  }
  if (mark.head_sha == kNoHash) mark.head_sha.clear();
  if (mark.tail_sha == kNoHash) mark.tail_sha.clear();
  if (in.get() != ' ') {
    return false;
  }
  std::getline(in, mark.path);
  return !mark.path.empty();
}

std::string_view OutputFlag(size_t output) {
  static constexpr std::string_view kFlags[kReplayOutputs] = {"--output", "--signals",
                                                              "--dead-letter"};
  return kFlags[output];
}

std::string_view DescribeOutput(int64_t kind) {
  if (kind == kOutputNone) return "not given";
  if (kind == kOutputStdout) return "standard output";
  return "a file";
}

std::string InputName(const std::string& path) { return path == "-" ? "standard input" : path; }

}  // namespace

std::string EncodeCheckpoint(const ReplayCheckpoint& checkpoint) {
  std::string out =
      fmt::format("{} {} {} {} {} ", kVersion, checkpoint.finished ? 1 : 0, checkpoint.outputs[0],
                  checkpoint.outputs[1], checkpoint.outputs[2]);
  AppendMark(checkpoint.input, out);
  return out;
}

bool DecodeCheckpoint(std::string_view text, ReplayCheckpoint& checkpoint) {
  std::istringstream in{std::string(text)};
  std::string version;
  int finished = 0;
  if (!(in >> version) || version != kVersion || !(in >> finished) || finished < 0 ||
      finished > 1) {
    return false;
  }
  checkpoint.finished = finished == 1;
  for (int64_t& output : checkpoint.outputs) {
    if (!(in >> output) || output < kOutputStdout) {
      return false;
    }
  }
  return ReadMark(in, checkpoint.input);
}

std::string EncodeConsumed(const std::vector<InputMark>& inputs) {
  std::string out;
  for (const InputMark& mark : inputs) {
    out += kVersion;
    out += ' ';
    AppendMark(mark, out);
    out += '\n';
  }
  return out;
}

bool DecodeConsumed(std::string_view text, std::vector<InputMark>& inputs) {
  inputs.clear();
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream in(line);
    std::string version;
    InputMark mark;
    if (!(in >> version) || version != kVersion || in.get() != ' ' || !ReadMark(in, mark)) {
      return false;
    }
    inputs.push_back(std::move(mark));
  }
  return true;
}

ReplayStart PlanReplayStart(const std::optional<ReplayCheckpoint>& checkpoint,
                            const std::vector<InputMark>& consumed, const InputView& input,
                            const std::string& state_dir,
                            const std::array<int64_t, kReplayOutputs>& outputs) {
  ReplayStart start;
  auto refuse = [&](std::string message) {
    start.kind = ReplayStart::Kind::kRefuse;
    start.message = std::move(message);
    return start;
  };
  if (checkpoint.has_value() && !checkpoint->finished) {
    const InputMark& mark = checkpoint->input;
    std::string where = fmt::format("state dir {} holds a replay of {} interrupted after line {}",
                                    state_dir, InputName(mark.path), mark.line);
    if (!mark.HasIdentity()) {
      return refuse(where + ", which cannot be resumed; use another --state-dir");
    }
    if (!input.Identifiable() || !input.Holds(mark)) {
      return refuse(where + "; run it again with that input to resume, or use another " +
                    "--state-dir");
    }
    for (size_t i = 0; i < kReplayOutputs; ++i) {
      int64_t was = checkpoint->outputs[i] >= 0 ? 0 : checkpoint->outputs[i];
      if (was != outputs[i]) {
        return refuse(fmt::format("{}; resuming it needs the same outputs: {} was {}, is {}", where,
                                  OutputFlag(i), DescribeOutput(was), DescribeOutput(outputs[i])));
      }
    }
    start.kind = ReplayStart::Kind::kResume;
    start.offset = mark.offset;
    start.line = mark.line;
    start.outputs = checkpoint->outputs;
    return start;
  }
  if (!input.Identifiable()) {
    return start;
  }
  // Newest first: the last input replayed is the likeliest to be given again.
  for (size_t i = consumed.size(); i-- > 0;) {
    const InputMark& mark = consumed[i];
    if (!mark.HasIdentity() || !input.StartsLike(mark)) {
      continue;
    }
    if (!input.Holds(mark)) {
      return refuse(fmt::format(
          "input starts like {} (replayed into state dir {}) but differs from it; replaying it "
          "would apply the same events twice: use another --state-dir",
          InputName(mark.path), state_dir));
    }
    if (input.Size() <= mark.offset) {
      return refuse(fmt::format(
          "input was already replayed into state dir {} (as {}, {} lines); nothing new to "
          "process",
          state_dir, InputName(mark.path), mark.line));
    }
    start.kind = ReplayStart::Kind::kContinue;
    start.offset = mark.offset;
    start.line = mark.line;
    return start;
  }
  return start;
}

}  // namespace cx
