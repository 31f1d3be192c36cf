// The allocator that puts a unary call's request and response on one protobuf arena.
#include "server/api/arena_messages.h"

#include <gtest/gtest.h>

#include "termijn/v1/termijn.pb.h"

namespace termijn::api {
namespace {

TEST(ArenaMessagesTest, RequestResponseAndWhatTheResponseHoldsShareOneArena) {
  ArenaMessages<v1::ListObligationsRequest, v1::ListObligationsResponse> allocator;
  auto* holder = allocator.AllocateMessages();
  google::protobuf::Arena* arena = holder->response()->GetArena();
  ASSERT_NE(arena, nullptr);
  EXPECT_EQ(holder->request()->GetArena(), arena);
  for (int i = 0; i < 50; ++i) {
    v1::Obligation* o = holder->response()->add_obligations();
    o->set_explanation(std::string(500, 'x'));
    o->mutable_due_time()->set_seconds(i);
    EXPECT_EQ(o->GetArena(), arena);
    EXPECT_EQ(o->mutable_due_time()->GetArena(), arena);
  }
  EXPECT_GE(arena->SpaceUsed(), 50 * sizeof(v1::Obligation));
  holder->Release();  // frees the arena, and with it everything above
}

}  // namespace
}  // namespace termijn::api
