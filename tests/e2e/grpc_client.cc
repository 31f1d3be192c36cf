#include "tests/e2e/grpc_client.h"

#include <grpcpp/generic/generic_stub.h>

#include <fstream>
#include <future>
#include <sstream>
#include <vector>

namespace termijn::testing {

std::shared_ptr<grpc::Channel> channel_as(const Termijnd& server, const std::string& principal) {
  const std::string dir = Certificates::get().dir;
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = read_file(dir + "/ca.crt");
  ssl.pem_cert_chain = read_file(dir + "/" + principal + ".crt");
  ssl.pem_private_key = read_file(dir + "/" + principal + ".key");
  return grpc::CreateChannel(server.address(), grpc::SslCredentials(ssl));
}

std::unique_ptr<grpc::ClientContext> context_within(std::chrono::milliseconds timeout) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + timeout);
  return c;
}

grpc::Status health_check(const std::shared_ptr<grpc::Channel>& channel,
                          std::chrono::milliseconds timeout, bool* serving) {
  grpc::GenericStub stub(channel);
  const grpc::Slice empty;
  const grpc::ByteBuffer request(&empty, 1);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer response;
  const auto ctx = context_within(timeout);
  std::promise<grpc::Status> done;
  stub.UnaryCall(ctx.get(), "/grpc.health.v1.Health/Check", {}, &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  const grpc::Status status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (status.ok() && response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  *serving = bytes == std::string("\x08\x01", 2);  // status: SERVING
  return status;
}

}  // namespace termijn::testing
