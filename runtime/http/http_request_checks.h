#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cx {

// Pure helpers of the HTTP server, apart so they can be tested without sockets.

// Longest accepted customer id, in code points (SPEC §1).
inline constexpr size_t kMaxCustomerIdChars = 128;

// The server's request limits: a body of at most kHttpBodyLimit bytes; a request line and
// headers of at most kHttpHeaderLimit bytes in all (else 431), the request line of at most
// kHttpRequestLineLimit (else 414).
inline constexpr size_t kHttpBodyLimit = 8 * 1024;
inline constexpr uint32_t kHttpHeaderLimit = 16 * 1024;
inline constexpr size_t kHttpRequestLineLimit = 8 * 1024;
// The largest `limit` of /alerts.
inline constexpr size_t kMaxAlertsLimit = 100000;

// A request target split at its first '?' (views into the target).
struct RequestTarget {
  std::string_view path;   // before the '?'
  std::string_view query;  // after it, not decoded; empty without one
};
[[nodiscard]] RequestTarget SplitTarget(std::string_view target);

// The `limit` parameter of /alerts in `query`: 0 when absent or empty, its value when it is a
// decimal integer 0-kMaxAlertsLimit, nullopt otherwise (a 400).
[[nodiscard]] std::optional<size_t> AlertsLimit(std::string_view query);

// The customer id in the path segment after "/customers/" (no query string): percent-decoded,
// then accepted only when it is valid UTF-8 of 1-128 code points without control characters.
// nullopt otherwise (a 400).
[[nodiscard]] std::optional<std::string> DecodeCustomerId(std::string_view segment);

// `text` as one URL path segment: RFC 3986 unreserved characters as they are, every other byte
// as %XX. DecodeCustomerId(EncodePathSegment(id)) == id for every valid id.
[[nodiscard]] std::string EncodePathSegment(std::string_view text);

// True when `authorization` is "Bearer <token>" (scheme case-insensitive) with exactly `token`.
// The comparison takes the same time wherever the first difference is.
[[nodiscard]] bool BearerTokenMatches(std::string_view authorization, std::string_view token);

// True when an Accept header asks for text/event-stream.
[[nodiscard]] bool AcceptsEventStream(std::string_view accept);

// One Server-Sent Events message carrying `data` (a line break in it starts another data: line).
[[nodiscard]] std::string FormatSseEvent(std::string_view data);

// The status for a request whose line and headers outgrew the server's header limit: 414 when
// its request line is longer than `max_request_line`, else 431. `parsed_target` is the target
// when the parser got through the request line (empty otherwise); `unparsed` the bytes it has
// not consumed, which then start with the request line (up to the first CRLF, or all of them
// when there is none yet).
[[nodiscard]] unsigned OversizedHeaderStatus(std::string_view parsed_target,
                                             std::string_view unparsed, size_t max_request_line);

// The value of `name` in a query string such as "a=1&limit=20" (not decoded), or empty.
[[nodiscard]] std::string_view QueryParameter(std::string_view query, std::string_view name);

}  // namespace cx
