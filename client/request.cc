#include <filesystem>
#include <iostream>
#include <map>

#include "client/context.h"
#include "client/private_file.h"
#include "client/table.h"
#include "proto/enum_names.h"

namespace termijn::cli {

namespace {

std::string media_type_of(const std::filesystem::path& path) {
  static const std::map<std::string, std::string> kTypes{
      {".pdf", "application/pdf"},
      {".txt", "text/plain"},
      {".eml", "message/rfc822"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".html", "text/html"},
      {".msg", "application/vnd.ms-outlook"},
      {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {".odt", "application/vnd.oasis.opendocument.text"}};
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(c));
  const auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

void print_request(const v1::Request& r) {
  const std::string zone =
      r.obligations().empty() ? "Europe/Brussels" : r.obligations(0).time_zone();
  std::cout << r.name() << "  " << v1::spelling(r.kind()) << "\n";
  Facts facts;
  facts.add("party", r.party());
  facts.add("received", local_time(r.receive_time(), zone));
  facts.add("summary", r.summary());
  if (r.has_copy()) {
    facts.add("copy", r.copy().file_name() + " (" + r.copy().media_type() + ", " +
                          std::to_string(r.copy().size()) + " bytes, sha256 " + r.copy().sha256() +
                          ")");
  }
  facts.add("external ref", r.external_ref());
  facts.add("logged by", r.logged_by());
  if (r.extension_months() > 0) {
    facts.add("extended", "by " + std::to_string(r.extension_months()) + " month(s) at " +
                              local_time(r.extend_time(), zone) + ": " + r.extension_reason());
  }
  if (r.has_identification_asked_time()) {
    facts.add("identification asked",
              local_time(r.identification_asked_time(), zone) +
                  (r.has_identification_time()
                       ? ", received: " + local_time(r.identification_time(), zone)
                       : std::string(", not yet received")));
  }
  if (r.has_close_time()) {
    facts.add("closed", local_time(r.close_time(), zone) + " by " + r.closed_by() + ": " +
                            r.closing_summary());
  }
  facts.print(std::cout);
  std::cout << "\n";
  print_obligations(r.obligations(), true);
}

}  // namespace

void add_request_commands(CLI::App& app, Context& ctx) {
  CLI::App* request =
      app.add_subcommand("request", "Data-subject requests and supervisory-authority messages");
  request->require_subcommand(1);

  struct Log {
    std::string party, kind, received_at, summary, copy, external_ref, request_id;
  };
  auto log = std::make_shared<Log>();
  CLI::App* cmd = request->add_subcommand(
      "log",
      "Record a request or authority message; the notice to the other parties (protocol art. "
      "14, with the copy) is queued at once, or held for review where the rule's auto_send is "
      "false");
  cmd->add_option("--party", log->party, "receiving party (default: your own)");
  cmd->add_option("--kind", log->kind, v1::all_spellings<v1::RequestKind>())->required();
  cmd->add_option(
      "--received-at", log->received_at,
      "when it was received; the deadlines count from it: " + kTimeFormats + " (default: now)");
  cmd->add_option("--summary", log->summary, "what is asked")->required();
  cmd->add_option("--copy", log->copy, "file with a copy of the original");
  cmd->add_option("--external-ref", log->external_ref, "the id of its ticket elsewhere");
  cmd->add_option("--request-id", log->request_id,
                  "a UUID that makes repeating this log safe (default: a new one)");
  cmd->callback([&ctx, log] {
    v1::LogRequestRequest req;
    req.set_party(log->party);
    req.set_kind(parse_list<v1::RequestKind>({log->kind}, "--kind")[0]);
    req.set_receive_time(log->received_at);
    req.set_summary(log->summary);
    req.set_external_ref(log->external_ref);
    req.set_request_id(log->request_id.empty() ? new_request_id() : log->request_id);
    if (!log->copy.empty()) {
      std::string content = read_file(log->copy, "--copy");
      const std::filesystem::path path(log->copy);
      req.mutable_copy()->set_file_name(path.filename().string());
      req.mutable_copy()->set_media_type(media_type_of(path));
      req.mutable_copy()->set_content(std::move(content));
    }
    v1::Request resp;
    const grpc::Status status = ctx.create_with_retries(
        [&](grpc::ClientContext* call) { return ctx.stub().LogRequest(call, req, &resp); });
    // The type was the CLI's guess from the file's name, not the user's declaration: say so.
    const std::string declared = "copy.media_type: declared ";
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
        status.error_message().rfind(declared, 0) == 0) {
      throw CliError(2, "--copy: " + log->copy + ": its name says " +
                            status.error_message().substr(declared.size()));
    }
    check(status);
    if (ctx.json()) return print_json(resp);
    print_request(resp);
  });

  struct Show {
    std::string id, save_copy;
  };
  struct Extend {
    std::string id, reason;
    int months = 0;
  };
  auto extend = std::make_shared<Extend>();
  CLI::App* ext = request->add_subcommand(
      "extend", "Extend the answer period by 1 or 2 months (GDPR art. 12(3)), once");
  ext->add_option("id", extend->id, "request id or name (requests/9)")->required();
  ext->add_option("--months", extend->months, "1 or 2")->required();
  ext->add_option("--reason", extend->reason, "why; the data subject is told")->required();
  ext->callback([&ctx, extend] {
    v1::ExtendRequestRequest req;
    req.set_name(extend->id);
    req.set_months(extend->months);
    req.set_reason(extend->reason);
    v1::Request resp;
    check(ctx.stub().ExtendRequest(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_request(resp);
  });

  auto identify = std::make_shared<v1::RecordIdentificationRequest>();
  CLI::App* idf = request->add_subcommand(
      "identification",
      "Record that more information to identify the subject was asked, or came (GDPR art. 12(6))");
  idf->add_option("id", *identify->mutable_name(), "request id or name (requests/9)")->required();
  CLI::Option* asked = idf->add_option("--asked-at", *identify->mutable_asked_time(),
                                       "when it was asked: " + kTimeFormats);
  CLI::Option* received = idf->add_option("--received-at", *identify->mutable_received_time(),
                                          "when it came: " + kTimeFormats);
  asked->excludes(received);
  idf->callback([&ctx, identify, asked, received] {
    if (asked->count() + received->count() != 1) {
      throw CliError(2, "request identification: give --asked-at or --received-at");
    }
    v1::Request resp;
    check(ctx.stub().RecordIdentification(ctx.call_context().get(), *identify, &resp));
    if (ctx.json()) return print_json(resp);
    print_request(resp);
  });

  auto refuse = std::make_shared<v1::RefuseRequestRequest>();
  CLI::App* rf = request->add_subcommand(
      "refuse", "Refuse to act on a request (GDPR art. 12(5)); the subject must be told why");
  rf->add_option("id", *refuse->mutable_name(), "request id or name (requests/9)")->required();
  rf->add_option("--ground", *refuse->mutable_ground(),
                 "unfounded or excessive (GDPR art. 12(5)(b)), unidentified (art. 11(2))")
      ->required();  // the server's refusal of another says what each ground is
  rf->add_option("--reason", *refuse->mutable_reason(), "why; the data subject is told")
      ->required();
  rf->callback([&ctx, refuse] {
    v1::Request resp;
    check(ctx.stub().RefuseRequest(ctx.call_context().get(), *refuse, &resp));
    if (ctx.json()) return print_json(resp);
    print_request(resp);
  });

  struct Close {
    std::string id, summary;
  };
  auto close = std::make_shared<Close>();
  CLI::App* cl = request->add_subcommand(
      "close", "Close a request whose obligations are all closed (met or waived)");
  cl->add_option("id", close->id, "request id or name (requests/9)")->required();
  cl->add_option("--summary", close->summary, "the closing summary")->required();
  cl->callback([&ctx, close] {
    v1::CloseRequestRequest req;
    req.set_name(close->id);
    req.set_summary(close->summary);
    v1::Request resp;
    check(ctx.stub().CloseRequest(ctx.call_context().get(), req, &resp));
    if (ctx.json()) return print_json(resp);
    print_request(resp);
  });

  auto show = std::make_shared<Show>();
  CLI::App* sh = request->add_subcommand("show", "Show a request and its obligations");
  sh->add_option("id", show->id, "request id or name (requests/9)")->required();
  sh->add_option("--save-copy", show->save_copy, "write the copy of the original to this file")
      ->type_name(kLocalFile);
  sh->callback([&ctx, show] {
    v1::GetRequestRequest req;
    req.set_name(show->id);
    req.set_include_copy(!show->save_copy.empty());
    v1::Request resp;
    check(ctx.stub().GetRequest(ctx.call_context().get(), req, &resp));
    if (!show->save_copy.empty()) {
      if (!resp.has_copy()) {
        throw CliError(exit_code_for(grpc::StatusCode::NOT_FOUND),
                       "--save-copy: " + resp.name() + " has no copy of the original");
      }
      PrivateFile file(show->save_copy, "--save-copy");
      file.out() << resp.copy().content();
      file.commit();
      resp.mutable_copy()->clear_content();
    }
    if (ctx.json()) return print_json(resp);
    print_request(resp);
    print_history(ctx, resp.name());
  });

  auto list = std::make_shared<v1::ListRequestsRequest>();
  auto page = std::make_shared<Page>();
  CLI::App* ls = request->add_subcommand("list", "List requests, newest first");
  ls->add_option_function<std::string>(
      "--external-ref", [list](const std::string& ref) { list->set_external_ref(ref); },
      "only the one with this ticket id");
  ls->add_option_function<std::string>(
      "--party", [list](const std::string& p) { list->set_party(p); }, "concerning this party");
  add_page_options(*ls, *page);
  ls->callback([&ctx, list, page, ls] {
    list->set_page_size(page->limit);
    list->set_page_token(page->token);
    v1::ListRequestsResponse resp;
    check(ctx.stub().ListRequests(ctx.call_context().get(), *list, &resp));
    if (ctx.json()) return print_json(resp);
    Table table({"ID", "PARTY", "KIND", "RECEIVED", "SUMMARY"});
    for (const v1::Request& r : resp.requests()) {
      const std::string zone =
          r.obligations().empty() ? "Europe/Brussels" : r.obligations(0).time_zone();
      table.add({r.name(), r.party(), v1::spelling(r.kind()), local_time(r.receive_time(), zone),
                 r.summary()});
    }
    table.print(std::cout);
    print_more(*ls, resp.next_page_token());
  });
}

}  // namespace termijn::cli
