#include "state/customer_state_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace cx {
namespace {

constexpr int64_t kT0 = 1'790'000'000'000;

EventTime At(int64_t offset_ms) { return EventTime::FromMillis(kT0 + offset_ms); }

// A small but complete state; FrozenV1 below is its v1 encoding.
CustomerState SmallState() {
  CustomerState s;
  s.last_activity = At(90'000);
  s.tier = Tier::kVip;
  s.next_deadline = At(120'000);
  s.seen = {{0x1122334455667788ULL, At(0)}, {42, At(90'000)}};
  Contact c;
  c.contact_id = "call-1";
  c.open_event_id = "q";
  c.type = EventType::kCall;
  c.counted = true;
  c.first_sla_flags = kSlaBreachRecorded;
  c.opened = At(60'000);
  c.last_event = At(60'000);
  c.started = At(60'000);
  s.contacts.push_back(c);
  s.history = {{7, 0, 9, At(60'000), 15}};
  s.breaches = {At(80'000)};
  s.effort = {15.5, At(80'000)};
  s.effort_emitted = 15;
  s.alerts.Mutable(static_cast<size_t>(AlertKind::kSlaBreach)) = {At(80'000), Severity::kCritical};
  return s;
}

// A state with every field set away from its default.
CustomerState RichState() {
  CustomerState s = SmallState();
  s.last_self_service = At(-5'000);
  Contact chat;
  chat.contact_id = "chat-9";
  chat.open_event_id = "ch-1";
  chat.type = EventType::kChat;
  chat.counted = true;
  chat.abandoned = true;
  chat.abandon_alerted = true;
  chat.first_sla_flags = kSlaMetEmitted;
  chat.opened = At(1);
  chat.last_event = At(70'000);
  chat.started = At(1);
  chat.closed = At(70'000);
  chat.messages = {{At(2), Author::kCustomer, kSlaBreachRecorded | kSlaLongWaitAlerted},
                   {At(3), Author::kAgent, 0},
                   {At(4), Author::kBot, 0}};
  chat.channel = "app";
  chat.queue = "billing";
  chat.reason = "refund";
  s.contacts.push_back(chat);
  s.history.push_back({8, 0xdeadbeefULL, 10, At(1), 25});
  s.clicks = {{99, At(10), true}, {99, At(20), false}};
  s.session.id_hash = 0xabcdefULL;
  s.session.start = At(-10'000);
  s.session.last = At(90'000);
  s.session.help_dwell_ms = 45'000;
  s.session.failed_searches = 1;
  s.session.needs_help_raised = true;
  s.session.cancel_intent_seen = true;
  s.session.pages = {{At(85'000), true}, {At(90'000), false}};
  s.risk = {40.25, At(30'000)};
  s.risk_emitted = 40;
  s.effort_armed = false;
  s.risk_armed = false;
  s.alerts.Mutable(static_cast<size_t>(AlertKind::kNeedsHelp)) = {At(5), Severity::kWarning};
  s.surveys = {{At(60'000), SurveyKind::kCes, 7, "", ""},
               {At(80'000), SurveyKind::kNps, 1, "chat-9", "Third time about the refund."}};
  return s;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

// SmallState() as encoded by format v1 (before Session::cancel_intent_seen). Frozen: never
// regenerate it; a change that breaks this test breaks stored state.
constexpr std::string_view kFrozenV1 =
    "0190cb51c4a001000002e2d403028877665544332211a1fe0a2a0000000000000002010663616c6c"
    "2d310171010102e1d403e1d403e1d403010100010700000000000000090000000000000000e1d403"
    "0f01a19c0100000000000000000000000000000000a19c010000000000002f40000f000301a19c01"
    "01";

TEST(CustomerStateCodec, RoundTripsDefaultSmallAndRichStates) {
  for (const CustomerState& s : {CustomerState{}, SmallState(), RichState()}) {
    std::string bytes;
    EncodeCustomerState(s, bytes);
    CustomerState back;
    ASSERT_TRUE(DecodeCustomerState(bytes, back));
    EXPECT_EQ(back, s);
    EXPECT_EQ(LastActivityOfEncoded(bytes), s.last_activity);
    EXPECT_EQ(bytes[0], 4);  // current format
  }
}

// RichState() in the current format (v4), as the encoder wrote it before its writer was rewritten
// for speed. Frozen: an encoder change must keep these bytes (stored states and the changelog
// are compared and deduplicated by them), or bump the version.
constexpr std::string_view kFrozenV4Rich =
    "0490cb51c4a001000002e2d403028877665544332211a1fe0a2a0000000000000002020663616c6c"
    "2d310171010102e1d403e1d403e1d40301010006636861742d390463682d310207019ffe0ac1b802"
    "9ffe0a01c1b802039dfe0a199bfe0a0299fe0a03020700000000000000090000000000000000e1d4"
    "030f08000000000000000a0000000000000001efbeadde000000009ffe0a1901a19c01b1cc0b0263"
    "000000000000008dfe0a016300000000000000f9fd0a00efcdab0000000000c19a0c0290bf050101"
    "02914e010200a19c010000000000002f40c1a90700000000002044400f280021a19c010197fe0a00"
    "010101036170700762696c6c696e6706726566756e6402e1d403030e0000a19c0102020663686174"
    "2d391c54686972642074696d652061626f75742074686520726566756e642e";

TEST(CustomerStateCodec, TheEncodingOfARichStateIsFrozen) {
  std::string bytes;
  EncodeCustomerState(RichState(), bytes);
  EXPECT_EQ(Hex(bytes), kFrozenV4Rich);
  // Appending into a string that held a longer encoding gives the same bytes.
  std::string reused(4096, 'x');
  EncodeCustomerState(RichState(), reused);
  EXPECT_EQ(reused, bytes);
  EncodeCustomerState(CustomerState{}, reused);
  EncodeCustomerState(CustomerState{}, bytes);
  EXPECT_EQ(reused, bytes);
}

TEST(CustomerStateCodec, TypicalStateIsCompact) {
  std::string bytes;
  EncodeCustomerState(SmallState(), bytes);
  EXPECT_LE(bytes.size(), 200u);
  EncodeCustomerState(RichState(), bytes);
  EXPECT_LE(bytes.size(), 400u);
}

// The v1 encoding the current encoder would give for `s`, which has no contact context and no
// survey answer (v4 without its two trailing zero bytes and the v2 field before them).
std::string AsV1(const CustomerState& s) {
  std::string bytes;
  EncodeCustomerState(s, bytes);
  bytes.resize(bytes.size() - 3);
  bytes[0] = 1;
  return bytes;
}

TEST(CustomerStateCodec, FrozenV1StillDecodes) {
  CustomerState s;
  ASSERT_TRUE(DecodeCustomerState(Unhex(kFrozenV1), s))
      << "v1 of SmallState() today: " << Hex(AsV1(SmallState()));
  CustomerState expected = SmallState();
  expected.session.cancel_intent_seen = false;  // added in v2: takes its default
  EXPECT_EQ(s, expected);
}

TEST(CustomerStateCodec, V2AddsCancelIntent) {
  CustomerState s = SmallState();
  s.session.cancel_intent_seen = true;
  std::string v4;
  EncodeCustomerState(s, v4);
  // Without survey answers and contact context, v3 is the v4 bytes without the trailing zero
  // byte, v2 the v3 bytes without theirs, and v1 the v2 bytes without the trailing v2 field.
  ASSERT_EQ(v4.back(), '\0');
  std::string v3 = v4.substr(0, v4.size() - 1);
  v3[0] = 3;
  ASSERT_EQ(v3.back(), '\0');
  std::string v2 = v3.substr(0, v3.size() - 1);
  v2[0] = 2;
  std::string v1 = v2.substr(0, v2.size() - 1);
  v1[0] = 1;
  CustomerState back;
  ASSERT_TRUE(DecodeCustomerState(v1, back));
  EXPECT_FALSE(back.session.cancel_intent_seen);
  ASSERT_TRUE(DecodeCustomerState(v2, back));
  EXPECT_TRUE(back.session.cancel_intent_seen);
}

TEST(CustomerStateCodec, V3AddsContactContext) {
  CustomerState s = RichState();
  ASSERT_GE(s.contacts.size(), 2u);
  s.contacts.back().channel = "messenger";
  s.contacts.front().reason = "login";
  std::string v3;
  EncodeCustomerState(s, v3);
  CustomerState back;
  ASSERT_TRUE(DecodeCustomerState(v3, back));
  EXPECT_EQ(back, s);
  EXPECT_EQ(back.contacts.back().queue, "billing");
  EXPECT_EQ(back.contacts.front().reason, "login");
  EXPECT_TRUE(back.contacts.front().channel.empty());
  // A v2 record (written before v3) decodes with empty context.
  CustomerState plain = SmallState();
  std::string v2;
  EncodeCustomerState(plain, v2);
  v2.pop_back();  // the v4 survey count
  v2.pop_back();  // the v3 context count
  v2[0] = 2;
  ASSERT_TRUE(DecodeCustomerState(v2, back));
  EXPECT_EQ(back, plain);
  // An index past the contacts is corrupt.
  std::string bad = v3;
  EncodeCustomerState(plain, bad);
  bad.pop_back();  // as v3
  bad[0] = 3;
  bad.back() = 1;
  bad += std::string("\x7f\x00\x00\x00", 4);
  EXPECT_FALSE(DecodeCustomerState(bad, back));
}

TEST(CustomerStateCodec, V4AddsSurveyAnswers) {
  CustomerState s = RichState();
  std::string v4;
  EncodeCustomerState(s, v4);
  CustomerState back;
  ASSERT_TRUE(DecodeCustomerState(v4, back));
  ASSERT_EQ(back.surveys.size(), 2u);
  EXPECT_EQ(back.surveys[1].comment, "Third time about the refund.");
  EXPECT_EQ(back.surveys[1].contact_id, "chat-9");
  EXPECT_EQ(back.surveys[0].survey, SurveyKind::kCes);
  // A v3 record (written before v4) decodes without answers.
  CustomerState plain = SmallState();
  std::string v3;
  EncodeCustomerState(plain, v3);
  v3.pop_back();
  v3[0] = 3;
  ASSERT_TRUE(DecodeCustomerState(v3, back));
  EXPECT_EQ(back, plain);
  // More answers than are ever kept is corrupt.
  std::string bad;
  EncodeCustomerState(plain, bad);
  bad.back() = static_cast<char>(kMaxSurveyAnswers + 1);
  for (size_t i = 0; i <= kMaxSurveyAnswers; ++i) bad += std::string("\x02\x02\x02\x00\x00", 5);
  EXPECT_FALSE(DecodeCustomerState(bad, back));
}

// Found by the coverage-guided fuzzer (bench/RESULTS.md, "Fuzzing: one long run"): a valid v4
// encoding (tests/fuzz/corpus/state_codec/regression-v4-state) that the fuzz target refused to
// accept, its newest version having stayed at 3 when the codec moved to v4. It decodes, its
// header agrees, it re-encodes canonically in the newest version, and the next version is refused.
TEST(CustomerStateCodec, AV4EncodingFoundByTheFuzzerDecodes) {
  const std::string bytes(
      "\x04\x47\x01\x00\x19\x09\x00\x00\x3f\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x02\x00\x00\xac\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00",
      41);
  CustomerState state;
  ASSERT_TRUE(DecodeCustomerState(bytes, state));
  EXPECT_EQ(LastActivityOfEncoded(bytes), state.last_activity);
  std::string once;
  EncodeCustomerState(state, once);
  EXPECT_EQ(once[0], bytes[0]);
  CustomerState again;
  ASSERT_TRUE(DecodeCustomerState(once, again));
  EXPECT_EQ(again, state);
  std::string newer = once;
  newer[0] = static_cast<char>(once[0] + 1);
  EXPECT_FALSE(DecodeCustomerState(newer, again));
}

TEST(CustomerStateCodec, RejectsTruncatedTrailingAndUnknownVersions) {
  std::string bytes;
  EncodeCustomerState(RichState(), bytes);
  CustomerState out;
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(DecodeCustomerState(std::string_view(bytes).substr(0, n), out)) << n;
  }
  EXPECT_FALSE(DecodeCustomerState(bytes + "x", out));
  std::string v9 = bytes;
  v9[0] = 9;
  EXPECT_FALSE(DecodeCustomerState(v9, out));
  EXPECT_EQ(LastActivityOfEncoded("short"), EventTime::Min());
}

TEST(CustomerStateCodec, UndecodableReasonTellsANewerFormatFromCorruptBytes) {
  std::string bytes;
  EncodeCustomerState(RichState(), bytes);
  const int current = static_cast<uint8_t>(bytes[0]);
  std::string newer = bytes;
  newer[0] = static_cast<char>(current + 1);
  CustomerState out;
  ASSERT_FALSE(DecodeCustomerState(newer, out));
  EXPECT_EQ(UndecodableStateReason(newer), "state format v" + std::to_string(current + 1) +
                                               " is newer than this build supports (\u2264 v" +
                                               std::to_string(current) + "); upgrade cxpulse");
  newer[0] = static_cast<char>(0xff);
  EXPECT_NE(UndecodableStateReason(newer).find("v255 is newer"), std::string::npos);
  // A known version whose body is cut short, and bytes too short for a header, are corrupt.
  const std::string truncated = bytes.substr(0, bytes.size() - 1);
  ASSERT_FALSE(DecodeCustomerState(truncated, out));
  EXPECT_EQ(UndecodableStateReason(truncated), "a stored customer state of " +
                                                   std::to_string(truncated.size()) +
                                                   " bytes does not decode (corrupt)");
  EXPECT_NE(UndecodableStateReason("").find("0 bytes does not decode (corrupt)"),
            std::string::npos);
}

TEST(CustomerStateCodec, GarbageNeverCrashes) {
  std::mt19937_64 rng(12345);
  std::string bytes;
  EncodeCustomerState(RichState(), bytes);
  CustomerState out;
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string g = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) g[rng() % g.size()] = static_cast<char>(rng());
    accepted += DecodeCustomerState(g, out) ? 1 : 0;
  }
  for (int i = 0; i < 2000; ++i) {
    std::string g(rng() % 64, '\0');
    for (char& c : g) c = static_cast<char>(rng());
    if (!g.empty()) g[0] = static_cast<char>(1 + rng() % 3);
    accepted += DecodeCustomerState(g, out) ? 1 : 0;
  }
  EXPECT_LT(accepted, 22000);
}

}  // namespace
}  // namespace cx
