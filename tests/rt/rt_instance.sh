#!/usr/bin/env bash
# A private Request Tracker 5 for the connector's tests: SQLite database, standalone web server,
# everything under DIR (no global state). Needs the Debian packages request-tracker5,
# rt5-db-sqlite and rt5-standalone.
#
#   rt_instance.sh setup DIR PORT   makes the database: queue "Privacy", ticket custom field
#                                   "Termijn record", user "termijn" with the rights the connector
#                                   needs, and an auth token for it in DIR/token (0600); a ticket
#                                   of queue "General" it may not see (its id in DIR/hidden-ticket)
#   rt_instance.sh serve DIR PORT   runs the web server on 127.0.0.1:PORT in the foreground
set -euo pipefail

action=${1:?usage: rt_instance.sh setup|serve DIR PORT}
dir=${2:?DIR}
port=${3:?PORT}
rt_lib=/usr/share/request-tracker5/lib

export RT_SITE_CONFIG="$dir/RT_SiteConfig.pm"
export RT_SITE_CONFIG_DIR="$dir/RT_SiteConfig.d"  # keeps /etc/request-tracker5's snippets out

case "$action" in
setup)
  mkdir -p "$dir/RT_SiteConfig.d" "$dir/mason" "$dir/session"
  cat >"$RT_SITE_CONFIG" <<CONFIG
Set(\$rtname, 'termijn-test');
Set(\$Organization, 'termijn-test');
Set(\$WebDomain, '127.0.0.1');
Set(\$WebPort, $port);
Set(\$WebPath, '');
Set(\$WebBaseURL, 'http://127.0.0.1:$port');
Set(\$DatabaseType, 'SQLite');
Set(\$DatabaseName, '$dir/rt.db');
Set(\$MasonDataDir, '$dir/mason');
Set(\$MasonSessionDir, '$dir/session');
Set(\$LogToSyslog, undef);
Set(\$LogToSTDERR, 'error');
Set(\$Timezone, 'UTC');
# RT checks the auth token's bcrypt hash on every REST call: at the default cost (12) that is
# about a second per call on a busy test machine. A test instance needs no such cost.
Set(\$BcryptCost, 4);
1;
CONFIG
  /usr/sbin/rt-setup-database-5 --action init --skip-create >"$dir/setup.log" 2>&1 ||
    { cat "$dir/setup.log" >&2; exit 1; }
  umask 077
  TERMIJN_RT_DIR="$dir" perl -I"$rt_lib" - >"$dir/token" <<'PERL'
use strict;
use warnings;
use RT -init;
my ($ok, $msg);
my $user = RT::User->new(RT->SystemUser);
($ok, $msg) = $user->Create(Name => 'termijn', EmailAddress => 'termijn@example.org',
                            Privileged => 1);
die "user: $msg\n" unless $ok;
my $queue = RT::Queue->new(RT->SystemUser);
($ok, $msg) = $queue->Create(Name => 'Privacy');
die "queue: $msg\n" unless $ok;
my $cf = RT::CustomField->new(RT->SystemUser);
($ok, $msg) = $cf->Create(Name => 'Termijn record', Type => 'FreeformSingle',
                          LookupType => 'RT::Queue-RT::Ticket');
die "custom field: $msg\n" unless $ok;
($ok, $msg) = $cf->AddToObject($queue);
die "custom field on queue: $msg\n" unless $ok;
for my $right (qw(SeeQueue ShowTicket CreateTicket ModifyTicket CommentOnTicket
                  ShowTicketComments SeeCustomField ModifyCustomField)) {
  ($ok, $msg) = $user->PrincipalObj->GrantRight(Right => $right, Object => $queue);
  die "right $right: $msg\n" unless $ok;
}
# A ticket of another queue, which the connector's user may not see (a helpdesk's, say).
my $hidden = RT::Ticket->new(RT->SystemUser);
my ($hidden_id, undef, $hidden_msg) = $hidden->Create(Queue => 'General',
                                                      Subject => 'Helpdesk: printer jam');
die "hidden ticket: $hidden_msg\n" unless $hidden_id;
open(my $out, '>', "$ENV{TERMIJN_RT_DIR}/hidden-ticket") or die "hidden-ticket: $!\n";
print $out "$hidden_id\n";
close($out);
my $token = RT::AuthToken->new(RT->SystemUser);
my ($id, $message, $secret) = $token->Create(Owner => $user->Id, Description => 'termijn-rt');
die "token: $message\n" unless $id;
print "$secret\n";
PERL
  ;;
serve)
  exec /usr/share/request-tracker5/libexec/rt-server --server Standalone --host 127.0.0.1 \
    --port "$port"
  ;;
*)
  echo "unknown action $action" >&2
  exit 2
  ;;
esac
