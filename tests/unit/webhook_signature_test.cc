// The Termijn-Signature header: HMAC-SHA256 over "<t>.<body>", as the README's Python check
// computes it.
#include <gtest/gtest.h>

#include "server/notify/webhook_sender.h"

namespace termijn::notify {
namespace {

// Known answer: python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec-0123456789abcdef",
// b"1764250000.{\"seq\":\"1\"}", hashlib.sha256).hexdigest())'
TEST(WebhookSignature, IsTheHmacOfTimeDotBody) {
  EXPECT_EQ(webhook_signature("whsec-0123456789abcdef", 1764250000, R"({"seq":"1"})"),
            "t=1764250000,v1=fc69fe1fb4301160da98b109c2ce951d7c987825f9fee9b0fcfdb5c1e834acc5");
}

}  // namespace
}  // namespace termijn::notify
