#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cx::gen {

// The words the generator writes. Every entry is plain ASCII with nothing to escape in JSON,
// so the writer copies them verbatim. Indices into these tables travel in PlannedEvent.

inline constexpr std::array<std::string_view, 22> kPages = {
    // Browsing pages: [kBrowsePage, kBrowsePage + kBrowsePageCount).
    "/", "/products", "/products/router-x200", "/products/mesh-kit", "/pricing", "/account",
    "/account/billing", "/cart", "/checkout", "/orders", "/orders/track", "/blog/wifi-tips",
    // Help pages (SPEC §3 self-service): [kHelpPage, kHelpPage + kHelpPageCount).
    "/help", "/help/billing", "/help/login", "/support", "/support/contact", "/faq",
    "/faq/delivery",
    // Cancellation intent: [kCancelPage, kCancelPage + kCancelPageCount).
    "/account/cancel", "/account/close", "/subscription/cancel"};
inline constexpr uint8_t kBrowsePage = 0;
inline constexpr uint8_t kBrowsePageCount = 12;
inline constexpr uint8_t kHelpPage = 12;
inline constexpr uint8_t kHelpPageCount = 7;
inline constexpr uint8_t kCancelPage = 19;
inline constexpr uint8_t kCancelPageCount = 3;
inline constexpr uint8_t kContactPage = 16;  // "/support/contact"

inline constexpr std::array<std::string_view, 10> kElements = {
    "#buy-now",      "#add-to-cart",  "#login-submit", "#pay-button",       "#search-submit",
    "nav.main-menu", "#promo-banner", "#track-order",  "#download-invoice", "#chat-widget"};

// Search queries that find something, then queries that find nothing.
inline constexpr std::array<std::string_view, 12> kQueries = {
    "router setup",  "invoice",       "delivery time",       "reset password",
    "mesh kit",      "pricing plans", "refund not received", "error 0x80070",
    "charged twice", "cannot log in", "cancel contract",     "parcel lost"};
inline constexpr uint8_t kFailedQuery = 6;
inline constexpr uint8_t kFailedQueryCount = 6;

// Contact reasons (SPEC: `reason`), in the order of Reason values.
inline constexpr std::array<std::string_view, 5> kReasons = {"billing", "delivery", "login",
                                                             "cancel", "technical"};
inline constexpr std::array<std::string_view, 5> kQueues = {"billing", "orders", "accounts",
                                                            "retention", "tech"};

inline constexpr std::array<std::string_view, 6> kChannels = {"web",  "app",       "phone",
                                                              "chat", "messenger", "email"};
inline constexpr uint8_t kChannelWeb = 0;
inline constexpr uint8_t kChannelApp = 1;
inline constexpr uint8_t kChannelPhone = 2;
inline constexpr uint8_t kChannelChat = 3;
inline constexpr uint8_t kChannelMessenger = 4;
inline constexpr uint8_t kChannelEmail = 5;

// Survey comments: happy ones, then unhappy ones.
inline constexpr std::array<std::string_view, 8> kComments = {"quick and friendly",
                                                              "all sorted, thanks",
                                                              "easy to find what I needed",
                                                              "great service",
                                                              "waited forever",
                                                              "nobody answered my chat",
                                                              "third time I contact you about this",
                                                              "still not fixed"};
inline constexpr uint8_t kUnhappyComment = 4;
inline constexpr uint8_t kUnhappyCommentCount = 4;

}  // namespace cx::gen
