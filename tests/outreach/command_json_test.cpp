#include "outreach/command_json.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "outreach/alert_reader.h"
#include "schemas/json_writer.h"
#include "tests/outreach/fold_helpers.h"

namespace cx {
namespace {

std::string DecodeError(std::string_view json) {
  Command command;
  Result<void> decoded = DecodeCommandJson(json, command);
  EXPECT_FALSE(decoded.ok()) << json;
  return decoded.ok() ? std::string() : decoded.error().message();
}

TEST(CommandJsonTest, RoundTripsEveryKind) {
  for (CommandKind kind :
       {CommandKind::kClaim, CommandKind::kRelease, CommandKind::kSnooze, CommandKind::kResolve}) {
    Command command = test::MakeCommand("k-1", "case-1", "ana", kind, test::At(1));
    if (kind == CommandKind::kSnooze) command.snooze_until = test::At(90);
    if (kind == CommandKind::kResolve) command.note = "called \"back\"";
    std::string json;
    AppendCommandJson(command, json);
    Command back;
    Result<void> decoded = DecodeCommandJson(json, back);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message() << " in " << json;
    std::string again;
    AppendCommandJson(back, again);
    EXPECT_EQ(again, json);
  }
}

TEST(CommandJsonTest, ReadsEpochMillisAndIgnoresUnknownFields) {
  Command command;
  Result<void> decoded = DecodeCommandJson(
      R"({"command_id":"k","case_id":"c","rep":"r","ts":1791190800000,"command":"release","x":1})",
      command);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  EXPECT_EQ(command.ts, test::At(0));
  EXPECT_EQ(command.kind, CommandKind::kRelease);
}

TEST(CommandJsonTest, RejectsWithOneLineReasons) {
  EXPECT_EQ(DecodeError("nope"), "not JSON");
  EXPECT_EQ(DecodeError("[1]"), "not a JSON object");
  EXPECT_EQ(DecodeError(R"({"case_id":"c","rep":"r","ts":0,"command":"claim"})"),
            "missing field command_id");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"","rep":"r","ts":0,"command":"claim"})"),
            "field case_id must have 1 to 128 bytes");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":"x","command":"claim"})"),
            "field ts must be an RFC 3339 time or epoch milliseconds");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":0,"command":"grab"})"),
            "field command must be claim, release, snooze or resolve");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":0,"command":"snooze"})"),
            "missing field until");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":0,"command":"resolve"})"),
            "resolve needs field outcome");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":0,)"
                        R"("command":"resolve","outcome":"happy"})"),
            "field outcome must be reached, no_answer, resolved or not_needed");
  EXPECT_EQ(DecodeError(R"({"command_id":"k","case_id":"c","rep":"r","ts":0,)"
                        R"("command":"resolve","outcome":"reached","note":7})"),
            "field note must be a string");
}

// The C++ decoder and schemas/json/command.schema.json agree on the examples.
TEST(CommandJsonTest, DecoderAgreesWithTheSchemaExamples) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(CXPULSE_SOURCE_DIR) / "schemas/examples/outreach";
  int checked = 0;
  for (const char* kind : {"valid", "invalid"}) {
    for (const auto& entry : fs::directory_iterator(dir / kind)) {
      if (entry.path().filename().string().rfind("command.", 0) != 0) continue;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      Command command;
      Result<void> decoded = DecodeCommandJson(text.str(), command);
      EXPECT_EQ(decoded.ok(), std::string(kind) == "valid")
          << entry.path() << ": " << (decoded.ok() ? "" : decoded.error().message());
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

TEST(CommandJsonTest, ResultSaysVerdictReasonAndOwner) {
  const Command command =
      test::MakeCommand("k-1", "case-1", "bob", CommandKind::kClaim, test::At(0));
  std::string out;
  AppendCommandResultJson(command,
                          {Verdict::kConflict, "the case is claimed by another rep", "ana"}, out);
  EXPECT_EQ(out, R"({"command_id":"k-1","case_id":"case-1","verdict":"conflict",)"
                 R"("reason":"the case is claimed by another rep","owner":"ana"})");
}

TEST(AlertReaderTest, ReadsWhatTheWriterWrites) {
  Alert alert =
      test::MakeAlert("a-1", "c-42", AlertKind::kSlaBreach, Severity::kCritical, test::At(3));
  alert.contact_id = "chat-9";
  alert.tier = Tier::kVip;
  alert.channel = "chat";
  alert.queue = "billing";
  alert.reason = "refund";
  alert.effort_score = 35;
  std::string json;
  AppendAlertJson(alert, json);
  Alert back;
  Result<void> decoded = DecodeAlertJson(json, back);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message();
  std::string again;
  AppendAlertJson(back, again);
  EXPECT_EQ(again, json);
  Result<void> missing = DecodeAlertJson(R"({"alert_id":"a"})", back);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message(), "missing field customer_id");
}

}  // namespace
}  // namespace cx
