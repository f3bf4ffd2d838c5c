// The HTTP side of OutreachService: the /cases routes, /me, command writes and their answers.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "outreach/command_json.h"
#include "runtime/outreach/outreach_api.h"
#include "runtime/outreach/outreach_service.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

HttpReply ToReply(ApiResponse response) { return {response.status, std::move(response.body)}; }

HttpReply Error(unsigned status, std::string_view message) {
  return ToReply(ErrorResponse(status, message));
}

// "/cases/{id}/{action}" → id, action (either may be empty).
void SplitCasePath(std::string_view rest, std::string_view& id, std::string_view& action) {
  size_t slash = rest.find('/');
  id = rest.substr(0, slash);
  action = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
}

}  // namespace

bool OutreachService::Handle(const HttpRequest& request, std::function<void(HttpReply)> reply) {
  const std::string_view path = request.path;
  // The event streams are served by the HTTP server from Alerts() and CaseEvents(), once the
  // request has an identity (and, for case events, the queue is ready): false lets it serve.
  const bool alerts = path == "/alerts" || path == "/alerts/stream";
  const bool case_events = path == "/cases/events";
  const bool me = path == "/me";
  if (!alerts && !me && path != "/cases" && !path.starts_with("/cases/")) return false;
  std::string rep = ResolveRep(config_.outreach, request.authorization, request.identity);
  if (rep.empty()) {
    reply(Error(401, "no rep identity: send a rep's bearer token" +
                         (config_.outreach.identity_header.empty()
                              ? std::string()
                              : " or the " + config_.outreach.identity_header + " header")));
    return true;
  }
  if (alerts) return false;
  if (me) {  // who the page signed in as (any method: GET)
    std::string body = "{\"rep\":";
    AppendJsonString(rep, body);
    reply({200, body + "}"});
    return true;
  }
  if (!ready_.load()) {
    reply(Error(503, "not ready: still reading the case logs"));
    return true;
  }
  if (case_events && request.method != "POST") return false;
  std::string_view id;
  std::string_view action;
  if (path.size() > 7) SplitCasePath(path.substr(7), id, action);
  bool get = request.method == "GET" || request.method == "HEAD";
  if (get && path == "/cases") {
    std::lock_guard<std::mutex> lock(mutex_);
    reply(ToReply(ListCases(books_, request.query, rep)));
  } else if (get && !id.empty() && action.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    int book = FindBook(books_, id);
    reply(book < 0 ? Error(404, "unknown case")
                   : ToReply(GetCase(books_[static_cast<size_t>(book)], id)));
  } else if (request.method == "POST" && !id.empty() && !action.empty()) {
    HandleCommand(request, id, action, rep, std::move(reply));
  } else if (get || request.method == "POST") {
    reply(Error(404, "not found"));
  } else {
    reply(Error(405, "only GET, HEAD and POST"));
  }
  return true;
}

void OutreachService::HandleCommand(const HttpRequest& request, std::string_view case_id,
                                    std::string_view action, const std::string& rep,
                                    std::function<void(HttpReply)> reply) {
  static const CaseBook kNoCases;
  auto started = std::chrono::steady_clock::now();
  std::string command_id = fmt::format("{}-{}", instance_, next_command_.fetch_add(1));
  std::lock_guard<std::mutex> lock(mutex_);
  int book = FindBook(books_, case_id);
  const CaseBook& fold = book < 0 ? kNoCases : books_[static_cast<size_t>(book)];
  CommandPlan plan =
      PlanCommand(fold, case_id, action, request.body, rep, clock_.Now(), std::move(command_id));
  if (plan.answer) {
    metrics_.OnCommandRefused(plan.answer->status);
    reply(ToReply(std::move(*plan.answer)));
    return;
  }
  const Command& command = plan.command;
  const std::string& customer = fold.Find(command.case_id)->customer_id;
  std::string value;
  AppendCommandJson(command, value);
  auto* opaque = new std::string(command.command_id);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_.get(), RD_KAFKA_V_TOPIC(config_.outreach.commands_topic.c_str()),
      RD_KAFKA_V_PARTITION(book), RD_KAFKA_V_KEY(customer.data(), customer.size()),
      RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_TIMESTAMP(command.ts.ms), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    delete opaque;
    spdlog::warn("outreach: cannot write a command: {}", std::string(rd_kafka_err2str(err)));
    reply(Error(503, "cannot write the command: " + std::string(rd_kafka_err2str(err))));
    return;
  }
  auto timeout = std::chrono::milliseconds(config_.outreach.command_timeout.ms);
  pending_[command.command_id] = Pending{std::move(reply), started, started + timeout};
}

void OutreachService::OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
  auto* self = static_cast<OutreachService*>(opaque);
  std::unique_ptr<std::string> command_id(static_cast<std::string*>(message->_private));
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR || command_id == nullptr) return;
  spdlog::warn("outreach: a command was not written: {}", rd_kafka_err2str(message->err));
  self->Answer(*command_id, Error(503, std::string("cannot write the command: ") +
                                           rd_kafka_err2str(message->err)));
}

void OutreachService::Answer(const std::string& command_id, HttpReply reply) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pending_.find(command_id);
  if (it == pending_.end()) return;
  metrics_.OnCommandAnswered(std::chrono::steady_clock::now() - it->second.started, reply.status);
  it->second.reply(std::move(reply));
  pending_.erase(it);
}

std::string OutreachService::Metrics() {
  OutreachCaseCounts counts;
  const EventTime now = clock_.Now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const CaseBook& book : books_) {
      for (const auto& [id, c] : book.Cases()) {
        counts.by_status[static_cast<size_t>(c.status)][static_cast<size_t>(c.severity)]++;
        if (c.status == CaseStatus::kOpen) {
          counts.open_by_queue[c.queue][static_cast<size_t>(c.severity)]++;
          double& oldest = counts.oldest_unclaimed_seconds[static_cast<size_t>(c.severity)];
          double waited = static_cast<double>((now - c.unclaimed_since).ms) / 1000.0;
          if (waited > oldest) oldest = waited;
        }
      }
    }
  }
  return metrics_.Serialize(counts, ready_.load());
}

}  // namespace cx
