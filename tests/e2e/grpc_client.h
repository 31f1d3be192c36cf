#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "termijn/v1/termijn.grpc.pb.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {

/// A channel to `server` presenting the demo certificate of `principal`.
std::shared_ptr<grpc::Channel> channel_as(const Termijnd& server, const std::string& principal);

/// A client context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> context_within(std::chrono::milliseconds timeout);

/// grpc.health.v1.Health/Check for the whole server: the status, and whether it said SERVING.
grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel,
                          std::chrono::milliseconds timeout, bool* serving);

}  // namespace termijn::testing
