#include "state/customer_state_size.h"

#include <string>
#include <vector>

namespace cx {

namespace {

static_assert(AllocationBytes(1) == 8 && AllocationBytes(17) == 32 && AllocationBytes(128) == 128);
static_assert(AllocationBytes(129) == 160 && AllocationBytes(256) == 256 &&
              AllocationBytes(257) == 320 && AllocationBytes(1025) == 1280);

template <typename T>
size_t HeapBytes(const std::vector<T>& v) {
  return AllocationBytes(v.capacity() * sizeof(T));
}

size_t HeapBytes(const std::string& s) { return StringHeapBytes(s.capacity()); }

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
  bytes += AllocationBytes(state.alerts.HeapBytes());
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
