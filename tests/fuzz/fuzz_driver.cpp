// A main() for the libFuzzer targets of tests/fuzz/ (LLVMFuzzerTestOneInput) without libFuzzer,
// so that GCC builds (the test suite, the ASan+UBSan build of tools/sanitize.sh) run them too.
// It replays every file of the corpus directories, then runs random mutations of them (bit
// flips, byte edits, erased, copied and repeated ranges, splices, dictionary tokens) until
// -runs inputs in all or -max_total_time seconds, whichever comes first. The flags are
// libFuzzer's, so one command line runs either build:
//   <fuzzer> [-runs=N] [-max_total_time=S] [-seed=K] [-max_len=L] [-dict=FILE]
//            [-artifact_prefix=P] DIR|FILE...
// Deterministic for one -seed (default 1). The input under test is kept so that a crash (a
// fatal signal, or a sanitizer's report) writes it to <artifact_prefix>crash-<n> first. Unlike
// libFuzzer it is not guided by coverage: long runs find less, but need no clang.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
// Set by ASan/UBSan builds only (weak: null otherwise).
extern "C" void __sanitizer_set_death_callback(void (*callback)()) __attribute__((weak));

namespace {

struct Options {
  uint64_t runs = 10000;
  double max_total_time = 0;  // 0 = no time limit
  uint64_t seed = 1;
  size_t max_len = 4096;
  std::string dict;
  std::string artifact_prefix = "./";
  std::vector<std::string> inputs;
};

// The input under test and where a crash writes it (plain buffers: read in a signal handler).
std::string g_current;
std::string g_crash_path;
volatile sig_atomic_t g_written = 0;

void WriteCurrentInput() {
  if (g_written) return;
  g_written = 1;
  int fd = ::open(g_crash_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  size_t done = 0;
  while (done < g_current.size()) {
    ssize_t n = ::write(fd, g_current.data() + done, g_current.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  constexpr char kNote[] = "\nfuzz_driver: the crashing input is in ";
  (void)!::write(2, kNote, sizeof(kNote) - 1);
  (void)!::write(2, g_crash_path.c_str(), g_crash_path.size());
  (void)!::write(2, "\n", 1);
}

void OnFatalSignal(int signal_number) {
  WriteCurrentInput();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

bool ParseFlag(std::string_view arg, std::string_view name, std::string& value) {
  if (!arg.starts_with(name) || arg.size() <= name.size() || arg[name.size()] != '=') return false;
  value = std::string(arg.substr(name.size() + 1));
  return true;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string value;
    if (ParseFlag(arg, "-runs", value)) {
      options.runs = std::stoull(value);
    } else if (ParseFlag(arg, "-max_total_time", value)) {
      options.max_total_time = std::stod(value);
    } else if (ParseFlag(arg, "-seed", value)) {
      options.seed = std::stoull(value);
    } else if (ParseFlag(arg, "-max_len", value)) {
      options.max_len = std::stoull(value);
    } else if (ParseFlag(arg, "-dict", value)) {
      options.dict = value;
    } else if (ParseFlag(arg, "-artifact_prefix", value)) {
      options.artifact_prefix = value;
    } else if (arg.starts_with("-")) {
      std::fprintf(stderr, "fuzz_driver: unknown flag %s\n", argv[i]);
      std::exit(2);
    } else {
      options.inputs.emplace_back(arg);
    }
  }
  return options;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// libFuzzer's dictionary format: one "token" a line (\\, \" and \xNN escapes), # comments.
std::vector<std::string> ReadDictionary(const std::string& path) {
  std::vector<std::string> tokens;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t open = line.find('"');
    size_t close = line.rfind('"');
    if (line.starts_with("#") || open == std::string::npos || close <= open) continue;
    std::string token;
    for (size_t i = open + 1; i < close; ++i) {
      if (line[i] == '\\' && i + 1 < close && line[i + 1] == 'x' && i + 3 < close) {
        token.push_back(static_cast<char>(std::stoi(line.substr(i + 2, 2), nullptr, 16)));
        i += 3;
      } else if (line[i] == '\\' && i + 1 < close) {
        token.push_back(line[++i]);
      } else {
        token.push_back(line[i]);
      }
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

class Mutator {
 public:
  Mutator(const std::vector<std::string>& corpus, const std::vector<std::string>& dict,
          uint64_t seed, size_t max_len)
      : corpus_(corpus), dict_(dict), rng_(seed), max_len_(max_len) {}

  std::string Next(const std::string& previous) {
    std::string data;
    uint64_t pick = Below(16);
    if (pick == 0 || corpus_.empty()) {
      data.resize(Below(64));
      for (char& c : data) c = static_cast<char>(Below(256));
    } else if (pick < 5) {
      data = previous;  // stack mutations
    } else {
      data = corpus_[Below(corpus_.size())];
    }
    for (uint64_t n = 1 + Below(4); n > 0; --n) MutateOnce(data);
    if (data.size() > max_len_) data.resize(max_len_);
    return data;
  }

 private:
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  size_t Position(const std::string& data) { return static_cast<size_t>(Below(data.size() + 1)); }
  char InterestingByte() {
    static constexpr char kBytes[] = {'\0', '\x01', '\x7f', '\x80', '\xff', '\n', '\r',
                                      ' ',  '"',    '%',    '0',    '9',    ':',  '\\'};
    return kBytes[Below(sizeof(kBytes))];
  }

  void MutateOnce(std::string& data) {
    switch (Below(11)) {
      case 0:
        if (!data.empty()) data[Below(data.size())] ^= static_cast<char>(1u << Below(8));
        break;
      case 1:
        if (!data.empty()) data[Below(data.size())] = InterestingByte();
        break;
      case 2:
        data.insert(Position(data), 1 + Below(8), static_cast<char>(Below(256)));
        break;
      case 3:
        if (!data.empty()) {
          size_t at = Below(data.size());
          data.erase(at, 1 + Below(data.size() - at));
        }
        break;
      case 4:
      case 5: {  // copy a range elsewhere, or repeat it (deep nesting, long fields)
        if (data.empty()) break;
        size_t at = Below(data.size());
        std::string piece = data.substr(at, 1 + Below(std::min<size_t>(data.size() - at, 64)));
        size_t times = Below(2) == 0 ? 1 : 1 + Below(max_len_ / piece.size() + 1);
        std::string repeated;
        for (size_t i = 0; i < times && repeated.size() < max_len_; ++i) repeated += piece;
        data.insert(Position(data), repeated);
        break;
      }
      case 6:
        if (!corpus_.empty()) {
          const std::string& other = corpus_[Below(corpus_.size())];
          data.resize(Position(data));
          data += other.substr(Below(other.size() + 1));
        }
        break;
      case 7:
      case 8:
        if (!dict_.empty()) data.insert(Position(data), dict_[Below(dict_.size())]);
        break;
      case 9:
        if (!dict_.empty()) {
          const std::string& token = dict_[Below(dict_.size())];
          size_t at = Position(data);
          data.replace(at, std::min(token.size(), data.size() - at), token);
        }
        break;
      default:
        if (!data.empty()) data.insert(Position(data), 1, InterestingByte());
        break;
    }
  }

  const std::vector<std::string>& corpus_;
  const std::vector<std::string>& dict_;
  std::mt19937_64 rng_;
  size_t max_len_;
};

void RunOne(const std::string& data) {
  g_current = data;
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(g_current.data()), g_current.size());
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  std::filesystem::create_directories(
      std::filesystem::path(options.artifact_prefix + "x").parent_path());
  g_crash_path = options.artifact_prefix + "crash-" + std::to_string(::getpid());
  for (int signal_number : {SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS}) {
    std::signal(signal_number, OnFatalSignal);
  }
  if (__sanitizer_set_death_callback != nullptr) __sanitizer_set_death_callback(WriteCurrentInput);

  std::vector<std::string> corpus;
  for (const std::string& input : options.inputs) {
    std::filesystem::path path(input);
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) corpus.push_back(ReadFile(entry.path()));
      }
    } else if (std::filesystem::is_regular_file(path)) {
      corpus.push_back(ReadFile(path));
    } else {
      std::fprintf(stderr, "fuzz_driver: no such corpus file or directory: %s\n", input.c_str());
      return 2;
    }
  }
  std::vector<std::string> dict;
  if (!options.dict.empty()) dict = ReadDictionary(options.dict);

  const auto start = std::chrono::steady_clock::now();
  uint64_t runs = 0;
  for (const std::string& input : corpus) {
    RunOne(input);
    ++runs;
  }
  const uint64_t replayed = runs;
  Mutator mutator(corpus, dict, options.seed, options.max_len);
  std::string previous = corpus.empty() ? std::string() : corpus.front();
  for (; runs < options.runs; ++runs) {
    if (options.max_total_time > 0 && (runs & 63) == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
            options.max_total_time) {
      break;
    }
    previous = mutator.Next(previous);
    RunOne(previous);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "fuzz_driver: %llu corpus inputs (%zu dictionary tokens) and %llu mutations in %.1f s,"
      " seed %llu: no crash\n",
      static_cast<unsigned long long>(replayed), dict.size(),
      static_cast<unsigned long long>(runs - replayed), seconds,
      static_cast<unsigned long long>(options.seed));
  return 0;
}
