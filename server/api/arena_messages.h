#pragma once

#include <google/protobuf/arena.h>
#include <grpcpp/support/message_allocator.h>

namespace termijn::api {

/// A unary call's request and response on one protobuf arena: a response of many messages (a page
/// of 50 obligations, each with its times and texts) is a few blocks to allocate and free at once
/// instead of a thousand small allocations, each freed on its own.
template <typename Request, typename Response>
class ArenaMessages final : public grpc::MessageAllocator<Request, Response> {
 public:
  grpc::MessageHolder<Request, Response>* AllocateMessages() override { return new Holder; }

 private:
  class Holder final : public grpc::MessageHolder<Request, Response> {
   public:
    Holder() {
      this->set_request(google::protobuf::Arena::CreateMessage<Request>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Response>(&arena_));
    }
    void Release() override { delete this; }

   private:
    google::protobuf::Arena arena_;
  };
};

/// Makes `service`'s method (given by its generated SetMessageAllocatorFor_X) allocate its
/// messages on arenas; the allocator lives as long as the program, as gRPC requires.
template <typename Service, typename Method, typename Request, typename Response>
void use_arenas(Service* service,
                void (Method::*set_allocator)(grpc::MessageAllocator<Request, Response>*)) {
  static ArenaMessages<Request, Response> allocator;
  (service->*set_allocator)(&allocator);
}

}  // namespace termijn::api
