#pragma once

#include <grpcpp/support/channel_arguments.h>

#include <algorithm>

namespace termijn {

/// The shortest keepalive a client may ask for; termijnd accepts pings twice as often.
inline constexpr int kMinKeepaliveSeconds = 10;

/// Keepalive for a client channel whose calls stay open and quiet for long (WatchEvents): after
/// `seconds` without traffic the client pings, and a connection that a firewall or NAT dropped
/// without a word (the ping is not answered within at most 20 s) fails the call with UNAVAILABLE
/// instead of leaving it waiting for ever. No pings while no call is open.
inline void set_keepalive(grpc::ChannelArguments& args, int seconds) {
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, seconds * 1000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, std::min(seconds, 20) * 1000);
  // Else gRPC stops pinging after two pings without data: an idle stream for hours is the point.
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
}

}  // namespace termijn
