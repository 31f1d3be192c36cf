#pragma once

namespace termijn::app {

/// The passphrase callback of every PEM file Termijn reads with OpenSSL: it offers none, so an
/// encrypted key reads as no key. OpenSSL's default callback would prompt on the terminal and
/// wait there: termijnd at start or on SIGHUP, the CLI before every call.
inline int no_passphrase(char*, int, int, void*) { return 0; }

}  // namespace termijn::app
