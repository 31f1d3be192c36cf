// End-to-end: working from a ticketing system (external_ref, idempotent creates, reflection,
// the event stream), through the real termijnd and the real termijn CLI.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include "tests/e2e/grpc_client.h"
#include "tests/e2e/harness.h"

namespace termijn::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TicketingTest : public ::testing::Test {
 protected:
  Termijnd server_;

  std::string count(const std::string& table) const {
    return server_.database().scalar("SELECT count(*) FROM " + table);
  }

  Outcome report(const std::string& external_ref) const {
    return server_.cli("herent-reporter", {"-o", "json", "incident", "report", "--aware-at",
                                           "2026-03-27T14:20:00+01:00", "--title",
                                           "Laptop gestolen", "--external-ref", external_ref});
  }
};

// A ticket's id is stored with the incident, a second incident for the same ticket is refused
// naming the first, and `incident list --external-ref` finds it.
TEST_F(TicketingTest, ExternalRefIsUniquePerPartyAndFilters) {
  const Outcome first = report("RT-1234");
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("\"externalRef\": \"RT-1234\""));
  EXPECT_THAT(first.out, HasSubstr("\"ticketRef\": \"RT-1234\""));  // the older name still works
  ASSERT_EQ(report("RT-9").exit_code, 0);

  const Outcome again = report("RT-1234");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_THAT(again.err, HasSubstr("external_ref"));
  EXPECT_THAT(again.err, HasSubstr("incidents/1"));
  EXPECT_EQ(count("incident"), "2");

  const Outcome listed =
      server_.cli("herent-dpo", {"-o", "json", "incident", "list", "--external-ref", "RT-1234"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr("\"name\": \"incidents/1\""));
  EXPECT_THAT(listed.out, Not(HasSubstr("incidents/2")));
}

// ReportIncident twice with the same request_id (a retry after a lost answer) gives the same
// incident and one record; the same id with another request is bad input (exit 2).
TEST_F(TicketingTest, RepeatedReportWithTheSameRequestIdGivesTheSameIncident) {
  const std::vector<std::string> args = {"-o",           "json",
                                         "incident",     "report",
                                         "--aware-at",   "2026-03-27T14:20:00+01:00",
                                         "--title",      "Laptop gestolen",
                                         "--request-id", "0d9b8f34-1c2e-4b8a-9f3d-5e6a7b8c9d01"};
  const Outcome first = server_.cli("herent-reporter", args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const Outcome again = server_.cli("herent-reporter", args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("\"name\": \"incidents/1\""));
  EXPECT_EQ(count("incident"), "1");
  EXPECT_EQ(count("obligation"), "3");

  std::vector<std::string> other = args;
  other[7] = "Another laptop";
  const Outcome different = server_.cli("herent-reporter", other);
  EXPECT_EQ(different.exit_code, 2);
  EXPECT_THAT(different.err, HasSubstr("request_id"));
  // Without --request-id each invocation is a new report.
  const std::vector<std::string> plain(args.begin(), args.end() - 2);
  ASSERT_EQ(server_.cli("herent-reporter", plain).exit_code, 0);
  EXPECT_EQ(count("incident"), "2");
}

// One exchange on the reflection service's stream, with `request` (a serialized
// grpc.reflection.v1alpha.ServerReflectionRequest): the response's bytes. Debian installs no
// generated code for reflection.proto, so the messages are written and read as bytes.
std::string reflect(const std::shared_ptr<grpc::Channel>& channel, const std::string& request,
                    grpc::Status* status) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue queue;
  auto context = context_within(std::chrono::seconds(10));
  auto call = stub.PrepareCall(
      context.get(), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1), in;
  void* tag;
  bool ok = false;
  int step = 0;
  call->StartCall(reinterpret_cast<void*>(++step));
  queue.Next(&tag, &ok);
  if (ok) {
    call->Write(out, reinterpret_cast<void*>(++step));
    queue.Next(&tag, &ok);
  }
  call->WritesDone(reinterpret_cast<void*>(++step));
  queue.Next(&tag, &ok);
  call->Read(&in, reinterpret_cast<void*>(++step));
  queue.Next(&tag, &ok);
  call->Finish(status, reinterpret_cast<void*>(++step));
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (in.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

// A client that knows nothing of the API discovers it through server reflection: the service
// list names termijn.v1.Termijn, and its file descriptor holds the methods.
TEST_F(TicketingTest, ReflectionListsTheServiceAndDescribesIt) {
  const auto channel = channel_as(server_, "herent-reporter");
  grpc::Status status;
  // list_services (field 7) = "".
  const std::string services = reflect(channel, std::string("\x3a\x00", 2), &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(services, HasSubstr("termijn.v1.Termijn"));

  // file_containing_symbol (field 4) = "termijn.v1.Termijn".
  const std::string symbol = "termijn.v1.Termijn";
  const std::string described =
      reflect(channel, std::string("\x22") + static_cast<char>(symbol.size()) + symbol, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(described, HasSubstr("ReportIncident"));
  EXPECT_THAT(described, HasSubstr("request_id"));
}

}  // namespace
}  // namespace termijn::testing
