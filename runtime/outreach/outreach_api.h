#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "outreach/case_book.h"
#include "outreach/command.h"
#include "runtime/config/outreach_config.h"
#include "schemas/time.h"

namespace cx {

// The HTTP handlers of `cxpulse outreach` as pure functions: request parts in, status and JSON
// body out, over a CaseBook the caller holds still (locked) during the call. No I/O, no clock.

struct ApiResponse {
  unsigned status = 200;
  std::string body;  // JSON; errors are {"error": "<one line>"} (and "owner" on a 409)
};

// The rep a request acts as: "Authorization: Bearer <token>" of a configured rep, else the
// configured identity header's value (1-128 bytes, no control characters). Empty = nobody
// (401). Tokens are compared in constant time. The body is never consulted.
[[nodiscard]] std::string ResolveRep(const OutreachConfig& config, std::string_view authorization,
                                     std::string_view identity_header_value);

// GET /cases?status=&severity=&queue=&owner=me over every partition's book. Unknown filter
// values are a 400. Cases are ordered critical first, then by opened_at, then by case_id:
// {"cases":[...],"count":N}.
[[nodiscard]] ApiResponse ListCases(std::span<const CaseBook> books, std::string_view query,
                                    const std::string& rep);

// The index of the book holding `case_id`, or -1.
[[nodiscard]] int FindBook(std::span<const CaseBook> books, std::string_view case_id);

// GET /cases/{id}: 200 with the case, 404 when the fold does not know it.
[[nodiscard]] ApiResponse GetCase(const CaseBook& book, std::string_view case_id);

// What a POST /cases/{id}/{action} becomes: either an answer now (`answer`: 400 bad action or
// body, 404 unknown case, 409 not the owner / already claimed; nothing is written), or
// `command` to append to cx.outreach and wait for. The body is a JSON object: snooze
// {"until"}, resolve {"outcome", "note"}; claim and release take none. `command_id` is the
// caller's fresh id; `now` stamps the command.
struct CommandPlan {
  std::optional<ApiResponse> answer;
  Command command;
};
[[nodiscard]] CommandPlan PlanCommand(const CaseBook& book, std::string_view case_id,
                                      std::string_view action, std::string_view body,
                                      const std::string& rep, EventTime now,
                                      std::string command_id);

// The answer once the command was read back and folded: 200 with the case, 409 with the
// owner, 404 / 400 for the other verdicts.
[[nodiscard]] ApiResponse AnswerCommand(const CaseBook& book, const Command& command,
                                        const CommandResult& result);

// {"error": message} with the given status.
[[nodiscard]] ApiResponse ErrorResponse(unsigned status, std::string_view message);

}  // namespace cx
