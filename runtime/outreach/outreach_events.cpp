// The page's live updates: OutreachService's case-change events (/cases/events).
#include <algorithm>

#include "outreach/case_json.h"
#include "runtime/outreach/outreach_api.h"
#include "runtime/outreach/outreach_service.h"
#include "schemas/json_writer.h"

namespace cx {

void OutreachService::PublishCaseChanges() {
  if (changed_.empty()) return;
  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  for (const std::string& id : changed_) {
    std::string json;
    int book = FindBook(books_, id);
    const Case* c = book < 0 ? nullptr : books_[static_cast<size_t>(book)].Find(id);
    if (c != nullptr) {
      AppendCaseJson(*c, json);
    } else {
      json = "{\"case_id\":";
      AppendJsonString(id, json);
      json += ",\"removed\":true}";
    }
    case_events_.Publish(std::move(json));
  }
  changed_.clear();
}

}  // namespace cx
