#include "server/app/audit.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <vector>

#include "client/context.h"
#include "client/private_file.h"
#include "server/app/ed25519.h"
#include "server/app/limits.h"
#include "server/app/sha256.h"

namespace termijn::cli {

namespace {

std::string utc(const google::protobuf::Timestamp& t) {
  return google::protobuf::util::TimeUtil::ToString(t);
}

// Calls ListAuditEvents page by page, handing each event to `each`.
template <typename Each>
void for_each_event(Context& ctx, const std::string& subject, int64_t since, Each each) {
  v1::ListAuditEventsRequest req;
  req.set_subject(subject);
  req.set_since_seq(since);
  req.set_page_size(1000);
  do {
    v1::ListAuditEventsResponse resp;
    check(ctx.stub().ListAuditEvents(ctx.call_context().get(), req, &resp));
    for (const v1::AuditEvent& e : resp.events()) each(e);
    req.set_page_token(resp.next_page_token());
  } while (!req.page_token().empty());
}

// The event as the chain hashes it.
app::AuditEvent from_proto(const v1::AuditEvent& e) {
  app::AuditEvent out;
  out.record.seq = e.seq();
  out.record.time = domain::Instant{std::chrono::seconds{e.time().seconds()}};
  out.record.principal = e.principal();
  out.record.party = e.party();
  out.record.action = e.action();
  out.record.subject = e.subject();
  out.record.related = e.related();
  out.record.details = e.details();
  out.record.nonce = e.nonce();
  out.prev_hash = app::from_hex(e.prev_hash()).value_or("");
  out.hash = app::from_hex(e.hash()).value_or("");
  out.format = e.format() == 0 ? 1 : e.format();  // a service from before format 2 sends none
  out.leaf = app::from_hex(e.leaf()).value_or("");
  out.digest_only = e.digest_only();
  return out;
}

// Where the events to verify come from: the service, or an export file.
using EventSource = std::function<void(const std::function<void(const v1::AuditEvent&)>&)>;

EventSource from_service(Context& ctx) {
  return [&ctx](const std::function<void(const v1::AuditEvent&)>& each) {
    for_each_event(ctx, "", 0, each);
  };
}

// Reads `termijn audit export --format jsonl` output: one AuditEvent in JSON per line.
EventSource from_export(const std::string& file) {
  return [file](const std::function<void(const v1::AuditEvent&)>& each) {
    std::istringstream lines(read_file(file, "--export"));
    int number = 0, events = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      if (line.empty()) continue;
      v1::AuditEvent e;
      if (!google::protobuf::util::JsonStringToMessage(line, &e).ok()) {
        throw CliError(2, "--export: " + file + ": line " + std::to_string(number) +
                              " is not an exported audit event");
      }
      each(e);
      ++events;
    }
    // No events make a chain that verifies whatever the trail holds.
    if (events == 0) {
      throw CliError(2, "--export: " + file +
                            " holds no audit event: an empty export proves nothing (export the "
                            "trail with `termijn audit export`)");
    }
  };
}

// Which events a signed checkpoint anchors, and which only the chain itself: the newest events
// after the last checkpoint could be deleted or rewritten, hashes recomputed, without a trace.
void print_anchored(int64_t last_seq, int64_t checkpoint_seq, const std::string& checkpoint) {
  if (checkpoint_seq == 0) {
    std::cout << "no signed checkpoint anchors these events: only the chain itself holds them "
                 "together\n";
  } else if (last_seq > checkpoint_seq) {
    std::cout << "events up to " << checkpoint_seq << " are anchored by " << checkpoint
              << "; the " << last_seq - checkpoint_seq
              << " newer ones only by the chain itself, until the next checkpoint\n";
  } else {
    std::cout << "every event is anchored by " << checkpoint << "\n";
  }
}

// A --public-key as checkpoints spell it (lower-case hex): a key pasted in capitals is the same
// key; one that is no key is bad input, not a checkpoint signed by another.
std::string ed25519_public_key(const std::string& given) {
  std::string key = given;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (key.size() != 64 || key.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw CliError(2, "--public-key: " + app::quote_input(given) +
                          " is not an Ed25519 public key (64 hex digits)");
  }
  return key;
}

struct HeldCheckpoint {
  std::string file;
  domain::AuditCheckpoint checkpoint;
};

// Reads and checks the signature of each checkpoint file: signed by one of `public_keys` when
// given (termijnd's key, and its earlier ones after a key change), else all by one key.
std::vector<HeldCheckpoint> read_checkpoints(const std::vector<std::string>& files,
                                             const std::vector<std::string>& public_keys) {
  std::vector<HeldCheckpoint> held;
  for (const std::string& file : files) {
    const domain::ParsedCheckpoint parsed =
        domain::parse_checkpoint(read_file(file, "--checkpoint"));
    if (!parsed.ok()) throw CliError(2, "--checkpoint: " + file + ": " + parsed.error);
    const std::string& key = parsed.checkpoint.public_key;
    if (public_keys.empty() ? !app::checkpoint_signature_valid(parsed.checkpoint)
                            : std::none_of(public_keys.begin(), public_keys.end(),
                                           [&](const std::string& k) {
                                             return app::signed_by(parsed.checkpoint, k);
                                           })) {
      throw CliError(7, "checkpoint " + file +
                            (app::checkpoint_signature_valid(parsed.checkpoint)
                                 ? ": signed by key " + key + ", not by a --public-key"
                                 : ": its signature does not verify (altered)"));
    }
    if (public_keys.empty() && !held.empty() && held.front().checkpoint.public_key != key) {
      // Anyone can sign a checkpoint with a key of their own: with two keys, one may not be
      // termijnd's.
      throw CliError(7, "checkpoints " + held.front().file + " and " + file +
                            " are signed by different keys: pass termijnd's with --public-key "
                            "(each of its keys, after a key change)");
    }
    held.push_back({file, parsed.checkpoint});
  }
  std::stable_sort(held.begin(), held.end(), [](const auto& a, const auto& b) {
    return a.checkpoint.seq < b.checkpoint.seq;
  });
  return held;
}

// Re-computes the whole chain here, from the events the service returns, and checks that it
// passes through every held checkpoint: a trail rewritten with recomputed hashes no longer
// does, since its hash at a checkpoint's seq differs from the signed one.
void verify_against_checkpoints(const EventSource& source, const std::string& origin,
                                const std::vector<HeldCheckpoint>& held, bool pinned) {
  app::ChainVerifier chain;
  for (const HeldCheckpoint& h : held) chain.expect(h.checkpoint);
  bool broken = false;
  source([&](const v1::AuditEvent& e) {
    if (!broken && !chain.add(from_proto(e))) broken = true;
  });
  const app::Verification v = chain.finish();
  if (!v.verified) {
    // The trail no longer extends the first held checkpoint at or after where it breaks.
    for (const HeldCheckpoint& h : held) {
      const domain::AuditCheckpoint& c = h.checkpoint;
      if (c.seq < v.first_bad_seq) continue;
      throw CliError(7, "audit trail does NOT extend checkpoint " + h.file + " (seq " +
                            std::to_string(c.seq) + ", signed " + domain::format_utc(c.time) +
                            "): event " + std::to_string(v.first_bad_seq) + ": " + v.reason);
    }
    throw CliError(7, "audit trail does NOT verify at event " + std::to_string(v.first_bad_seq) +
                          ": " + v.reason);
  }
  std::cout << "verified " << v.event_count << " events up to " << v.last_seq << " (hash "
            << v.last_hash << ") here, from " << origin << "\n";
  if (v.digest_count > 0) {
    std::cout << v.digest_count << " of them are other parties' events, seen only as digests: "
              << v.digest_count - v.unchecked_count << " verified through their leaf";
    if (v.unchecked_count > 0) {
      std::cout << "; " << v.unchecked_count
                << " in chain format 1 could not be checked (no leaf: only a full, auditor's "
                   "export verifies them)";
    }
    std::cout << "\n";
  }
  for (const HeldCheckpoint& h : held) {
    std::cout << "extends checkpoint " << h.file << " (seq " << h.checkpoint.seq << ", signed "
              << domain::format_utc(h.checkpoint.time) << " by key " << h.checkpoint.public_key
              << ")\n";
  }
  if (held.empty()) return print_anchored(v.last_seq, 0, "");
  print_anchored(v.last_seq, held.back().checkpoint.seq, "checkpoint " + held.back().file);
  if (!pinned) {
    std::cout << "the key is the one the checkpoint files name: compare it with termijnd's (in "
                 "its checkpoint mails), or pass --public-key\n";
  }
}

void print_checkpoint(Context& ctx, const v1::AuditCheckpoint& c) {
  if (ctx.json()) return print_json(c);
  std::cout << c.text();
}

}  // namespace

void print_audit_table_header() {
  std::printf("%-6s %-22s %-20s %-22s %-16s %s\n", "SEQ", "TIME (UTC)", "PRINCIPAL", "ACTION",
              "SUBJECT", "DETAILS");
}

void print_audit_row(const v1::AuditEvent& e) {
  if (e.digest_only()) {
    std::printf("%-6lld %-22s %-20s %-22s %-16s leaf %s\n", static_cast<long long>(e.seq()),
                "-", "-", "(another party's)", "-", e.leaf().empty() ? "-" : e.leaf().c_str());
    return;
  }
  std::printf("%-6lld %-22s %-20s %-22s %-16s %s\n", static_cast<long long>(e.seq()),
              utc(e.time()).c_str(), e.principal().c_str(), e.action().c_str(),
              e.subject().c_str(), e.details().c_str());
}

void print_history(Context& ctx, const std::string& subject) {
  std::cout << "\nhistory:\n";
  try {
    std::vector<v1::AuditEvent> events;
    for_each_event(ctx, subject, 0, [&events](const v1::AuditEvent& e) { events.push_back(e); });
    print_audit_table_header();
    for (const auto& e : events) print_audit_row(e);
  } catch (const CliError& e) {
    if (e.exit_code != exit_code_for(grpc::StatusCode::PERMISSION_DENIED)) throw;
    std::cout << "  (the audit trail is for DPOs and auditors)\n";
  }
}

void add_audit_commands(CLI::App& app, Context& ctx) {
  CLI::App* audit = app.add_subcommand("audit", "The tamper-evident audit trail");
  audit->require_subcommand(1);

  struct List {
    std::string subject;
    int64_t since = 0;
  };
  auto list = std::make_shared<List>();
  CLI::App* ls = audit->add_subcommand("list", "List audit events in order");
  ls->add_option("--subject", list->subject, "a resource, e.g. incidents/4 (with its obligations)");
  ls->add_option("--since", list->since, "only events after this sequence number");
  ls->callback([&ctx, list] {
    if (ctx.json()) {
      v1::ListAuditEventsResponse all;
      for_each_event(ctx, list->subject, list->since,
                     [&all](const v1::AuditEvent& e) { *all.add_events() = e; });
      return print_json(all);
    }
    print_audit_table_header();
    for_each_event(ctx, list->subject, list->since, print_audit_row);
  });

  auto seq = std::make_shared<int64_t>(0);
  CLI::App* show = audit->add_subcommand("show", "Show one event with its hashes");
  show->add_option("seq", *seq, "sequence number")->required();
  show->callback([&ctx, seq] {
    v1::GetAuditEventRequest req;
    req.set_seq(*seq);
    v1::AuditEvent e;
    check(ctx.stub().GetAuditEvent(ctx.call_context().get(), req, &e));
    if (ctx.json()) return print_json(e);
    if (e.digest_only()) {
      std::cout << "seq:       " << e.seq() << " (another party's event: its digest only)\n"
                << "format:    " << e.format() << "\n"
                << "leaf:      " << e.leaf() << "\n"
                << "prev_hash: " << e.prev_hash() << "\n"
                << "hash:      " << e.hash() << "\n";
      return;
    }
    std::cout << "seq:       " << e.seq() << "\n"
              << "time:      " << utc(e.time()) << "\n"
              << "principal: " << e.principal() << " (" << e.party() << ")\n"
              << "action:    " << e.action() << "\n"
              << "subject:   " << e.subject() << "\n"
              << "related:   " << e.related() << "\n"
              << "details:   " << e.details() << "\n"
              << "format:    " << e.format() << "\n"
              << (e.format() == 2 ? "nonce:     " + e.nonce() + "\nleaf:      " + e.leaf() + "\n"
                                  : "")
              << "prev_hash: " << e.prev_hash() << "\n"
              << "hash:      " << e.hash() << "\n";
  });

  struct Verify {
    std::vector<std::string> checkpoints;
    std::vector<std::string> public_keys;
    std::string export_file;
  };
  auto verify_options = std::make_shared<Verify>();
  CLI::App* verify = audit->add_subcommand(
      "verify",
      "Re-compute the whole hash chain; with --checkpoint, here, and prove that the trail still "
      "extends every given checkpoint");
  verify
      ->add_option("--checkpoint", verify_options->checkpoints,
                   "a checkpoint file (as mailed, or from `audit checkpoint`); repeatable")
      ->type_name(kLocalFile);
  verify->add_option("--public-key", verify_options->public_keys,
                     "termijnd's Ed25519 public key (hex) the checkpoints must be signed with; "
                     "repeatable (its earlier keys, after a key change)");
  verify
      ->add_option("--export", verify_options->export_file,
                   "verify this file (from `audit export`, also a party-scoped one) here, "
                   "without the service")
      ->type_name(kLocalFile);
  verify->callback([&ctx, verify_options] {
    if (!verify_options->public_keys.empty() && verify_options->checkpoints.empty()) {
      // Only a checkpoint file carries a signature: ignored, the key would seem to be pinned.
      throw CliError(2,
                     "--public-key: checks the signatures of --checkpoint files; give at least "
                     "one --checkpoint");
    }
    for (std::string& key : verify_options->public_keys) key = ed25519_public_key(key);
    const auto held = read_checkpoints(verify_options->checkpoints, verify_options->public_keys);
    const bool pinned = !verify_options->public_keys.empty();
    if (!verify_options->export_file.empty()) {
      return verify_against_checkpoints(from_export(verify_options->export_file),
                                        verify_options->export_file, held, pinned);
    }
    if (!held.empty()) {
      return verify_against_checkpoints(from_service(ctx), "the events the service returned",
                                        held, pinned);
    }
    v1::VerifyAuditTrailResponse v;
    check(ctx.stub().VerifyAuditTrail(ctx.call_context().get(), {}, &v));
    if (ctx.json()) print_json(v);
    if (!v.verified()) {
      throw CliError(7, "audit trail does NOT verify at event " +
                            std::to_string(v.first_bad_seq()) + ": " + v.reason() + " (" +
                            std::to_string(v.event_count()) + " events before it verified)");
    }
    if (!ctx.json()) {
      std::cout << "verified " << v.event_count() << " events up to " << v.last_seq()
                << " (hash " << v.last_hash() << ")\n";
      print_anchored(v.last_seq(), v.checkpoint_seq(), "termijnd's latest signed checkpoint");
    }
  });

  auto create_new = std::make_shared<bool>(false);
  CLI::App* checkpoint = audit->add_subcommand(
      "checkpoint", "Print the latest signed checkpoint of the trail (save it: it is your proof)");
  checkpoint->add_flag("--new", *create_new,
                       "sign the trail's state now (and mail it to every party's DPO)");
  checkpoint->callback([&ctx, create_new] {
    v1::AuditCheckpoint c;
    if (*create_new) {
      check(ctx.stub().CreateAuditCheckpoint(ctx.call_context().get(), {}, &c));
    } else {
      check(ctx.stub().GetAuditCheckpoint(ctx.call_context().get(), {}, &c));
    }
    print_checkpoint(ctx, c);
  });

  auto format = std::make_shared<std::string>("jsonl");
  CLI::App* exp = audit->add_subcommand("export", "Every event with its hashes, for an outside check");
  exp->add_option("--format", *format, "jsonl")->check(CLI::IsMember({"jsonl"}));
  auto file = std::make_shared<std::string>();
  exp->add_option("--file", *file,
                  "write to FILE (mode 0600) once the export is complete: one cut short leaves "
                  "no file, where a redirected one would look like a shorter, valid trail")
      ->type_name(kLocalFile);
  exp->callback([&ctx, format, file] {  // holds the options' storage alive
    Output output(*file);
    std::ostream& out = output.out();
    for_each_event(ctx, "", 0, [&out](const v1::AuditEvent& e) {
      std::string line;
      google::protobuf::util::JsonPrintOptions options;
      options.preserve_proto_field_names = true;
      options.always_print_primitive_fields = true;
      if (!google::protobuf::util::MessageToJsonString(e, &line, options).ok()) {
        throw CliError(1, "cannot print event " + std::to_string(e.seq()));
      }
      out << line << "\n";
    });
    output.commit();
  });
}

}  // namespace termijn::cli
