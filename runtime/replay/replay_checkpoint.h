#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cx {

// Where a replay with a state dir stands, so that a killed replay resumes exactly once and an
// input already replayed into the state dir is not applied twice. Kept in the store's meta,
// written in the same WriteBatch as the state it describes.

// A position in an input file and the identity of the bytes before it: the SHA-256 of its
// first kInputWindowBytes (or fewer, up to the position) and of the kInputWindowBytes before
// the position. Standard input has no identity (empty hashes).
struct InputMark {
  std::string path;      // as given, for messages ("-" for standard input)
  uint64_t offset = 0;   // bytes consumed: just after a line's "\n" (or the end of the input)
  uint64_t line = 0;     // lines consumed
  std::string head_sha;  // hex SHA-256 of bytes [0, min(offset, kInputWindowBytes))
  std::string tail_sha;  // hex SHA-256 of bytes [offset - min(offset, window), offset)
  [[nodiscard]] bool HasIdentity() const { return !head_sha.empty(); }
  bool operator==(const InputMark&) const = default;
};

inline constexpr uint64_t kInputWindowBytes = 64 * 1024;

// The replay's three outputs, in this order.
enum class ReplayOutput : uint8_t { kAlerts = 0, kSignals = 1, kDeadLetters = 2 };
inline constexpr size_t kReplayOutputs = 3;
// An output's committed length, or one of these when it is not a file.
inline constexpr int64_t kOutputNone = -1;    // not written (no flag)
inline constexpr int64_t kOutputStdout = -2;  // standard output: cannot be truncated

// The meta value written with every replay commit.
struct ReplayCheckpoint {
  InputMark input;
  // True once the input was read to its end and the final watermark advance committed.
  bool finished = false;
  // Per ReplayOutput: bytes written up to this commit, or kOutputNone / kOutputStdout.
  std::array<int64_t, kReplayOutputs> outputs{kOutputNone, kOutputNone, kOutputNone};
  bool operator==(const ReplayCheckpoint&) const = default;
};

// Meta keys of the store (state/store/state_store.h).
inline constexpr std::string_view kReplayCheckpointKey = "replay.checkpoint";
// Every input replayed to its end into this state dir, one InputMark a line.
inline constexpr std::string_view kReplayConsumedKey = "replay.consumed";

[[nodiscard]] std::string EncodeCheckpoint(const ReplayCheckpoint& checkpoint);
// False for bytes EncodeCheckpoint did not produce (or a newer format).
[[nodiscard]] bool DecodeCheckpoint(std::string_view text, ReplayCheckpoint& checkpoint);
[[nodiscard]] std::string EncodeConsumed(const std::vector<InputMark>& inputs);
[[nodiscard]] bool DecodeConsumed(std::string_view text, std::vector<InputMark>& inputs);

// What the input given now holds, as far as the plan needs it.
class InputView {
 public:
  virtual ~InputView() = default;
  // False for standard input (no identity; never resumed or continued).
  [[nodiscard]] virtual bool Identifiable() const = 0;
  [[nodiscard]] virtual uint64_t Size() const = 0;
  // True when the input holds `mark`'s bytes: at least mark.offset bytes whose head and tail
  // windows hash as recorded.
  [[nodiscard]] virtual bool Holds(const InputMark& mark) const = 0;
  // True when the input's first bytes are those of `mark`'s head window.
  [[nodiscard]] virtual bool StartsLike(const InputMark& mark) const = 0;
};

// How a replay starts.
struct ReplayStart {
  enum class Kind : uint8_t {
    kFresh,     // from the first line; outputs created or truncated
    kResume,    // after an interrupted run's last commit; outputs truncated to its lengths
    kContinue,  // after an input replayed before of which this one is a longer copy
    kRefuse,    // not at all: `message` says why (bad usage, exit 2)
  };
  Kind kind = Kind::kFresh;
  uint64_t offset = 0;
  uint64_t line = 0;
  std::array<int64_t, kReplayOutputs> outputs{kOutputNone, kOutputNone, kOutputNone};
  std::string message;
};

// Decides how a replay of `input` (given as `input_path`, with outputs of kinds `outputs`:
// kOutputNone, kOutputStdout or 0 for a file) starts on a state dir holding `checkpoint` and
// `consumed`:
// - an unfinished checkpoint: resumed when the input holds its bytes and the outputs are of the
//   same kinds; anything else is refused (the state would not match the outputs);
// - an input holding the bytes of an input replayed before: refused when it has nothing more,
//   continued after them when it is longer (data appended to the same file);
// - an input that starts like one replayed before but differs after: refused;
// - anything else (new data, or standard input): fresh.
[[nodiscard]] ReplayStart PlanReplayStart(const std::optional<ReplayCheckpoint>& checkpoint,
                                          const std::vector<InputMark>& consumed,
                                          const InputView& input, const std::string& state_dir,
                                          const std::array<int64_t, kReplayOutputs>& outputs);

}  // namespace cx
