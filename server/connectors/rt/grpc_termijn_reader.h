#pragma once

#include "server/connectors/rt/connector.h"
#include "termijn/v1/termijn.grpc.pb.h"

namespace termijn::rt {

/// A gRPC status as an absl::Status (the codes are the same numbers).
absl::Status from_grpc(const grpc::Status& status);

absl::Time from_proto(const google::protobuf::Timestamp& t);

/// Reads records and obligations from termijnd through its public API, as the connector's
/// principal: what it may not see is NOT_FOUND.
class GrpcTermijnReader final : public TermijnReader {
 public:
  explicit GrpcTermijnReader(v1::Termijn::Stub& stub) : stub_(stub) {}
  absl::StatusOr<RecordView> record(const std::string& name) override;
  absl::StatusOr<ObligationView> obligation(const std::string& name) override;

 private:
  v1::Termijn::Stub& stub_;
};

/// How an incident, a request and an obligation look in RT.
RecordView record_view(const v1::Incident& incident);
RecordView record_view(const v1::Request& request);
ObligationView obligation_view(const v1::Obligation& obligation);

}  // namespace termijn::rt
