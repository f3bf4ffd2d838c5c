#include "state/customer_state_size.h"

#include <string>
#include <vector>

namespace cx {

namespace {

// glibc's malloc: a 16-byte aligned chunk with an 8-byte header.
constexpr size_t kBlockOverhead = 16;

template <typename T>
size_t HeapBytes(const std::vector<T>& v) {
  return v.capacity() == 0 ? 0 : v.capacity() * sizeof(T) + kBlockOverhead;
}

size_t HeapBytes(const std::string& s) {
  // Short strings live inside the object (libstdc++'s small-string buffer of 15 bytes).
  return s.capacity() <= 15 ? 0 : s.capacity() + 1 + kBlockOverhead;
}

template <typename T>
void Fit(std::vector<T>& v) {
  if (v.capacity() > v.size()) {
    v.shrink_to_fit();
  }
}

}  // namespace

size_t ApproxMemoryBytes(const CustomerState& state) {
  size_t bytes = sizeof(CustomerState) + HeapBytes(state.seen) + HeapBytes(state.contacts) +
                 HeapBytes(state.history) + HeapBytes(state.breaches) + HeapBytes(state.clicks) +
                 HeapBytes(state.session.pages) + HeapBytes(state.surveys);
  if (state.alerts.HeapBytes() > 0) {
    bytes += state.alerts.HeapBytes() + kBlockOverhead;
  }
  for (const Contact& c : state.contacts) {
    bytes += HeapBytes(c.contact_id) + HeapBytes(c.open_event_id) + HeapBytes(c.messages) +
             HeapBytes(c.channel) + HeapBytes(c.queue) + HeapBytes(c.reason);
  }
  for (const SurveyAnswer& s : state.surveys) {
    bytes += HeapBytes(s.contact_id) + HeapBytes(s.comment);
  }
  return bytes;
}

void ReleaseSlack(CustomerState& state) {
  Fit(state.seen);
  Fit(state.contacts);
  for (Contact& c : state.contacts) {
    Fit(c.messages);
  }
  Fit(state.history);
  Fit(state.breaches);
  Fit(state.clicks);
  Fit(state.session.pages);
  Fit(state.surveys);
}

}  // namespace cx
