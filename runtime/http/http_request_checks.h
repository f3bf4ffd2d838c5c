#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cx {

// Pure helpers of the HTTP server, apart so they can be tested without sockets.

// Longest accepted customer id, in code points (SPEC §1).
inline constexpr size_t kMaxCustomerIdChars = 128;

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
