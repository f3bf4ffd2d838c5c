// Fuzz target for the HTTP request handling of runtime/http without a socket: the bytes a
// client sends are parsed by Boost.Beast's request parser with the server's limits (as
// HttpSession::ReadRequest does, all bytes at once, then the end of the stream), then go through
// the pure steps HttpSession::Handle takes: 414/431 for oversized heads, the target split,
// /customers/{id} decoding and the bearer check, /alerts' limit, the event-stream Accept check,
// the page's assets and the event-stream framing. Never a crash; each step's contract holds.
// Run by tests/fuzz/tests.cmake (fuzz.http_request) and, for long runs, by tests/fuzz/run_fuzz.sh.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "runtime/http/http_request_checks.h"
#include "runtime/http/outreach_assets.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;

void Check(bool condition) {
  if (!condition) std::abort();
}

std::string_view View(beast::string_view text) { return {text.data(), text.size()}; }

// Each line of an event (up to the blank line that ends it) is a "data: " line.
void CheckSseEvent(const std::string& event) {
  Check(event.ends_with("\n\n"));
  Check(event.find('\r') == std::string::npos);
  size_t start = 0;
  while (start + 1 < event.size()) {
    size_t end = event.find('\n', start);
    Check(std::string_view(event).substr(start, end - start).starts_with("data: "));
    start = end + 1;
  }
}

void CheckRequest(const http::request<http::string_body>& request) {
  Check(request.body().size() <= cx::kHttpBodyLimit);
  const std::string_view target = View(request.target());
  if (target.size() > cx::kHttpRequestLineLimit) return;  // 414
  const auto [path, query] = cx::SplitTarget(target);
  Check(path.find('?') == std::string_view::npos && target.starts_with(path));
  Check(query.empty() || target.ends_with(query));

  const std::string_view authorization = View(request[http::field::authorization]);
  // "Bearer <token>", the scheme in any case, with exactly the token.
  bool bearer = authorization.size() >= 7 && authorization[6] == ' ';
  for (size_t i = 0; bearer && i < 6; ++i) {
    bearer = (authorization[i] | 0x20) == "bearer"[i];
  }
  const std::string_view given = bearer ? authorization.substr(7) : std::string_view();
  Check(cx::BearerTokenMatches(authorization, "fuzz-token") == (bearer && given == "fuzz-token"));
  Check(cx::BearerTokenMatches(authorization, given) == (bearer && !given.empty()));
  if (path.starts_with("/customers/")) {
    std::optional<std::string> id = cx::DecodeCustomerId(path.substr(11));
    if (id) {
      Check(!id->empty() && id->size() <= 4 * cx::kMaxCustomerIdChars);
      const std::string encoded = cx::EncodePathSegment(*id);
      Check(cx::DecodeCustomerId(encoded) == id);
    }
  }
  std::optional<size_t> limit = cx::AlertsLimit(query);
  Check(!limit || *limit <= cx::kMaxAlertsLimit);
  (void)cx::AcceptsEventStream(View(request[http::field::accept]));
  if (const cx::OutreachAsset* asset = cx::FindOutreachAsset(path); asset != nullptr) {
    Check(!asset->body.empty());
  }
  CheckSseEvent(cx::FormatSseEvent(request.body()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  http::request_parser<http::string_body> parser;
  parser.body_limit(cx::kHttpBodyLimit);
  parser.header_limit(cx::kHttpHeaderLimit);
  beast::flat_buffer buffer;
  if (size > 0) {
    std::memcpy(buffer.prepare(size).data(), data, size);
    buffer.commit(size);
  }
  beast::error_code error;
  while (!parser.is_done()) {
    size_t used = 0;
    if (buffer.size() > 0) {
      used = parser.put(buffer.data(), error);
      buffer.consume(used);
    } else {
      error = http::error::need_more;
    }
    if (error != http::error::need_more) {
      if (error) break;
      continue;
    }
    error = {};
    if (used > 0) continue;
    // The client closed its side: as http::read does at the end of the stream.
    if (parser.got_some()) {
      parser.put_eof(error);
    } else {
      error = http::error::end_of_stream;
    }
    break;
  }
  if (error == http::error::header_limit) {
    const auto unparsed = buffer.data();
    const unsigned status = cx::OversizedHeaderStatus(
        View(parser.get().target()),
        std::string_view(static_cast<const char*>(unparsed.data()), unparsed.size()),
        cx::kHttpRequestLineLimit);
    Check(status == 414 || status == 431);
    return 0;
  }
  if (error || !parser.is_done()) return 0;  // 400, or the connection closes
  CheckRequest(parser.get());
  return 0;
}
