#include "generate/event_writer.h"

#include <cstring>

#include <fmt/format.h>

#include "generate/vocabulary.h"

namespace cx::gen {
namespace {

// Longest line Append() can write: fixed names and numbers only, well under this.
constexpr size_t kMaxLine = 1024;

// Writes a line into a caller's fixed buffer, then hands it over in one append.
class LineBuilder {
 public:
  explicit LineBuilder(char* begin) : begin_(begin), p_(begin) {}
  void Put(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Put(char c) { *p_++ = c; }
  void PutInt(int64_t v) {
    fmt::format_int f(v);
    Put(std::string_view(f.data(), f.size()));
  }
  void PutQuoted(std::string_view key_with_quotes, std::string_view value) {
    Put(key_with_quotes);
    Put(value);
    Put('"');
  }
  char*& cursor() { return p_; }
  size_t size() const { return static_cast<size_t>(p_ - begin_); }

 private:
  char* begin_;
  char* p_;
};

void PutDigits(char* p, unsigned v, int n) {
  for (int i = n - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

}  // namespace

char* EventWriter::WriteRfc3339(char* buf, EventTime ts, int offset_minutes) {
  int64_t ms = ts.ms + int64_t{offset_minutes} * 60'000;
  int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  int64_t in_day = ms - days * 86'400'000;
  if (days != cached_day_) {
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned day = doy - (153 * mp + 2) / 5 + 1;
    unsigned month = mp < 10 ? mp + 3 : mp - 9;
    auto year = static_cast<unsigned>(static_cast<int64_t>(yoe) + era * 400 + (month <= 2));
    PutDigits(cached_date_, year, 4);
    cached_date_[4] = '-';
    PutDigits(cached_date_ + 5, month, 2);
    cached_date_[7] = '-';
    PutDigits(cached_date_ + 8, day, 2);
    cached_date_[10] = 'T';
    cached_day_ = days;
  }
  std::memcpy(buf, cached_date_, sizeof(cached_date_));
  auto secs = static_cast<unsigned>(in_day / 1000);
  PutDigits(buf + 11, secs / 3600, 2);
  buf[13] = ':';
  PutDigits(buf + 14, secs / 60 % 60, 2);
  buf[16] = ':';
  PutDigits(buf + 17, secs % 60, 2);
  buf[19] = '.';
  PutDigits(buf + 20, static_cast<unsigned>(in_day % 1000), 3);
  char* p = buf + 23;
  if (offset_minutes == 0) {
    *p++ = 'Z';
    return p;
  }
  unsigned abs_off = static_cast<unsigned>(offset_minutes < 0 ? -offset_minutes : offset_minutes);
  *p++ = offset_minutes < 0 ? '-' : '+';
  PutDigits(p, abs_off / 60, 2);
  p[2] = ':';
  PutDigits(p + 3, abs_off % 60, 2);
  return p + 5;
}

namespace {

// Writes the customer number zero-padded to `width` digits; returns its length.
size_t WriteNumber(char* buf, uint64_t customer, int width) {
  fmt::format_int f(customer);
  size_t pad = width > static_cast<int>(f.size()) ? static_cast<size_t>(width) - f.size() : 0;
  std::memset(buf, '0', pad);
  std::memcpy(buf + pad, f.data(), f.size());
  return pad + f.size();
}

}  // namespace

std::string_view TypeName(EventType type) {
  switch (type) {
    case EventType::kClick:
      return "click";
    case EventType::kCall:
      return "call";
    case EventType::kChat:
      return "chat";
    case EventType::kSurvey:
      return "survey";
  }
  return "click";
}

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kNone:
      return "";
    case Action::kPageView:
      return "page_view";
    case Action::kClick:
      return "click";
    case Action::kSearch:
      return "search";
    case Action::kError:
      return "error";
    case Action::kContactUs:
      return "contact_us";
    case Action::kQueued:
      return "queued";
    case Action::kStarted:
      return "started";
    case Action::kMessage:
      return "message";
    case Action::kAnswered:
      return "answered";
    case Action::kTransferred:
      return "transferred";
    case Action::kEnded:
      return "ended";
    case Action::kAbandoned:
      return "abandoned";
  }
  return "";
}

std::string_view AuthorName(Author author) {
  switch (author) {
    case Author::kCustomer:
      return "customer";
    case Author::kAgent:
      return "agent";
    case Author::kBot:
      return "bot";
    case Author::kNone:
      return "";
  }
  return "";
}

void AppendRfc3339(std::string& out, EventTime ts, int offset_minutes) {
  EventWriter writer(false, 1);
  char buf[32];
  out.append(buf, static_cast<size_t>(writer.WriteRfc3339(buf, ts, offset_minutes) - buf));
}

void EventWriter::AppendNumber(std::string& out, uint64_t customer) const {
  char buf[32];
  out.append(buf, WriteNumber(buf, customer, id_width_));
}

void EventWriter::AppendCustomerId(std::string& out, uint64_t customer) const {
  out += "c-";
  AppendNumber(out, customer);
}

void EventWriter::AppendTs(std::string& out, EventTime ts, bool with_offset) {
  if (epoch_millis_ts_) {
    fmt::format_int f(ts.ms);
    out.append(f.data(), f.size());
    return;
  }
  char buf[32];
  buf[0] = '"';
  char* end = WriteRfc3339(buf + 1, ts, with_offset ? 120 : 0);
  *end++ = '"';
  out.append(buf, static_cast<size_t>(end - buf));
}

void EventWriter::Append(std::string& out, const PlannedEvent& e, uint64_t customer, uint64_t seq) {
  char number_buf[32];
  std::string_view number(number_buf, WriteNumber(number_buf, customer, id_width_));
  char buf[kMaxLine];
  LineBuilder b(buf);
  auto put_contact_id = [&](bool chat, uint16_t contact) {
    b.Put(chat ? std::string_view("\"contact_id\":\"chat-") : "\"contact_id\":\"call-");
    b.Put(number);
    b.Put('-');
    b.PutInt(contact);
    b.Put('"');
  };
  b.Put("{\"event_id\":\"e-");
  b.Put(number);
  b.Put('-');
  b.PutInt(static_cast<int64_t>(seq));
  b.Put("\",\"customer_id\":\"c-");
  b.Put(number);
  b.PutQuoted("\",\"type\":\"", TypeName(e.type));
  if (e.action != Action::kNone) b.PutQuoted(",\"action\":\"", ActionName(e.action));
  b.Put(",\"ts\":");
  if (epoch_millis_ts_) {
    b.PutInt(e.ts.ms);
  } else {
    b.Put('"');
    b.cursor() = WriteRfc3339(b.cursor(), e.ts, (e.flags & kWithOffset) ? 120 : 0);
    b.Put('"');
  }
  b.PutQuoted(",\"channel\":\"", kChannels[e.channel]);
  if (e.flags & kWithTier) {
    b.Put((e.flags & kVip) ? std::string_view(",\"tier\":\"vip\"") : ",\"tier\":\"standard\"");
  }
  switch (e.type) {
    case EventType::kClick:
      if (e.flags & kWithSession) {
        b.Put(",\"session_id\":\"s-");
        b.Put(number);
        b.Put('-');
        b.PutInt(e.session);
        b.Put('"');
      }
      if (e.action == Action::kSearch) {
        b.Put(",\"page\":\"/search\"");
        if (e.flags & kWithQuery) b.PutQuoted(",\"query\":\"", kQueries[e.query]);
        b.Put(",\"results\":");
        b.PutInt(e.number);
        break;
      }
      b.PutQuoted(",\"page\":\"", kPages[e.page]);
      if (e.action == Action::kClick) b.PutQuoted(",\"element\":\"", kElements[e.element]);
      if (e.action == Action::kError) {
        b.Put(",\"status\":");
        b.PutInt(e.status);
      }
      break;
    case EventType::kCall:
    case EventType::kChat:
      b.Put(',');
      put_contact_id(e.type == EventType::kChat, e.contact);
      if (e.flags & kWithReason) {
        b.PutQuoted(",\"queue\":\"", kQueues[e.reason]);
        b.PutQuoted(",\"reason\":\"", kReasons[e.reason]);
      }
      if (e.flags & kWithAgent) {
        b.Put(",\"agent_id\":\"agent-");
        b.PutInt(e.agent);
        b.Put('"');
      }
      if (e.action == Action::kMessage) b.PutQuoted(",\"author\":\"", AuthorName(e.author));
      if (e.resolved >= 0)
        b.Put(e.resolved ? std::string_view(",\"resolved\":true") : ",\"resolved\":false");
      if (e.flags & kWithHold) {
        b.Put(",\"hold_ms\":");
        b.PutInt(e.number);
      }
      break;
    case EventType::kSurvey:
      b.PutQuoted(",\"survey\":\"", SurveyName(e.survey));
      b.Put(",\"score\":");
      b.PutInt(e.number);
      if (e.flags & kWithContactRef) {
        b.Put(',');
        put_contact_id((e.flags & kContactIsChat) != 0, e.contact);
      }
      if (e.flags & kWithComment) b.PutQuoted(",\"comment\":\"", kComments[e.comment]);
      break;
  }
  b.Put('}');
  out.append(buf, b.size());
}

}  // namespace cx::gen
