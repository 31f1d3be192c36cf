#pragma once

#include <absl/status/status.h>
#include <grpcpp/support/status.h>

namespace termijn::api {

/// The one mapping from internal statuses to gRPC statuses (same codes, same message).
grpc::Status to_grpc(const absl::Status& status);

}  // namespace termijn::api
