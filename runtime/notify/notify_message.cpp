#include "runtime/notify/notify_message.h"

#include <array>
#include <utility>

#include "outreach/case_json.h"
#include "schemas/json_writer.h"

namespace cx {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kActions = {{
    {"callback", "Call the customer back and fix the problem first."},
    {"apologise_and_compensate",
     "Call now: apologise, fix it, and offer a discount or bonus for the trouble."},
    {"own_the_issue", "Own the issue to the end: one rep, anticipating the follow-on question."},
    {"senior_callback", "A manager calls back (never the rep who handled the failure)."},
    {"offer_chat", "Offer a chat now, before they have to call."},
    {"", ""},
}};

// Block Kit text is mrkdwn: &, < and > must be escaped.
std::string Mrkdwn(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendSection(std::string_view mrkdwn, std::string& out) {
  out += R"({"type":"section","text":{"type":"mrkdwn","text":)";
  AppendJsonString(mrkdwn, out);
  out += "}}";
}

// Who/why/what-to-do message with an optional link button.
struct SlackMessage {
  std::string title;
  std::string who;
  std::string why;
  std::string what;
  std::string link_text;
  std::string link;
};

std::string Render(const SlackMessage& m) {
  std::string out = R"({"text":)";
  AppendJsonString(m.title + ": " + m.what, out);
  out += R"(,"blocks":[{"type":"header","text":{"type":"plain_text","text":)";
  AppendJsonString(m.title, out);
  out += "}},";
  AppendSection("*Who*\n" + m.who, out);
  out += ',';
  AppendSection("*Why*\n" + m.why, out);
  out += ',';
  AppendSection("*What to do*\n" + m.what, out);
  if (!m.link.empty()) {
    out += R"(,{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":)";
    AppendJsonString(m.link_text, out);
    out += R"(},"url":)";
    AppendJsonString(m.link, out);
    out += "}]}";
  }
  out += "]}";
  return out;
}

std::string Who(std::string_view customer_id, Tier tier, std::string_view channel,
                std::string_view queue, std::string_view reason) {
  std::string who = "Customer `" + Mrkdwn(customer_id) + "`";
  if (tier != Tier::kUnset) who += " (" + std::string(ToString(tier)) + ")";
  if (!channel.empty()) who += " · channel " + Mrkdwn(channel);
  if (!queue.empty()) who += " · queue " + Mrkdwn(queue);
  if (!reason.empty()) who += " · reason " + Mrkdwn(reason);
  return who;
}

std::string Why(const std::vector<AlertReason>& reasons) {
  std::string why;
  for (const AlertReason& r : reasons) {
    why += (why.empty() ? "• " : "\n• ") + Mrkdwn(r.detail.empty() ? r.code : r.detail);
  }
  return why.empty() ? "(no reason given)" : why;
}

std::string Link(std::string_view public_url, std::string_view anchor, std::string_view id) {
  if (public_url.empty()) return {};
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string link = base + "/#" + std::string(anchor) + "=";
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.' || c == '~';
    if (plain) {
      link += c;
    } else {
      constexpr char kHex[] = "0123456789ABCDEF";
      link += '%';
      link += kHex[static_cast<unsigned char>(c) >> 4];
      link += kHex[static_cast<unsigned char>(c) & 15];
    }
  }
  return link;
}

}  // namespace

std::string_view ActionText(std::string_view recommended_action) {
  for (const auto& [code, text] : kActions) {
    if (code == recommended_action) return text;
  }
  return recommended_action;
}

std::string ProactiveChatBody(const Alert& alert) {
  std::string out = R"({"type":"proactive_chat.offer","alert_id":)";
  AppendJsonString(alert.alert_id, out);
  out += R"(,"customer_id":)";
  AppendJsonString(alert.customer_id, out);
  std::string alert_json;
  AppendAlertJson(alert, alert_json);
  // The alert's own "ts" text, so both carry the same RFC 3339 form.
  const size_t ts = alert_json.find(R"("ts":")");
  if (ts != std::string::npos) {
    out += ',';
    out += alert_json.substr(ts, alert_json.find('"', ts + 6) + 1 - ts);
  }
  if (!alert.channel.empty()) {
    out += R"(,"channel":)";
    AppendJsonString(alert.channel, out);
  }
  out += R"(,"action":"offer_chat","alert":)";
  out += alert_json;
  out += '}';
  return out;
}

std::string SlackAlertBody(const Alert& alert, std::string_view public_url) {
  SlackMessage m;
  m.title = std::string(ToString(alert.kind)) + " (" + std::string(ToString(alert.severity)) + ")";
  m.who = Who(alert.customer_id, alert.tier, alert.channel, alert.queue, alert.reason);
  m.why = Why(alert.reasons);
  m.what = std::string(ActionText(RecommendedAction(alert.kind, alert.severity)));
  m.link_text = "Open the customer";
  m.link = Link(public_url, "customer", alert.customer_id);
  return Render(m);
}

std::string SlackEscalationBody(const Escalation& escalation, std::string_view public_url) {
  const Case& c = escalation.snapshot;
  SlackMessage m;
  m.title = "Escalated: critical case unclaimed";
  m.who = Who(c.customer_id, c.tier, "", c.queue, c.reason);
  std::vector<AlertReason> reasons;
  for (const CaseAlert& a : c.alerts) {
    for (const AlertReason& r : a.reasons) reasons.push_back(r);
  }
  m.why = Why(reasons);
  m.what = "Nobody has claimed this critical case: claim it now. " +
           std::string(ActionText(RecommendedAction(c)));
  m.link_text = "Open the case";
  m.link = Link(public_url, "case", c.case_id);
  return Render(m);
}

std::string EscalationBody(const Escalation& escalation) {
  std::string out;
  AppendEscalationJson(escalation, out);
  return out;
}

}  // namespace cx
