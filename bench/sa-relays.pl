#!/usr/bin/perl
# sa-relays.pl - SpamAssassin's relay analysis (first untrusted relay) for
# every message of one or more mbox files, without running any rule.
#
# Owner: bench.  Used by bench/run-trace.sh as the reference for
# `squeaky trace`.  Prints "INDEX<TAB>IP<TAB>UNTRUSTED<TAB>TRUSTED" per
# message (INDEX is 1-based and counts across all files in order; IP is
# relays_untrusted[0]{ip}, empty when SpamAssassin found no untrusted
# relay; UNTRUSTED and TRUSTED are the space-separated IPs of
# relays_untrusted and relays_trusted, newest first).  With --relays it
# also prints SpamAssassin's X-Spam-Relays-Trusted/-Untrusted strings, for
# eyeballing.  A summary with messages/s (start-up excluded: the clock
# starts after Mail::SpamAssassin->init) goes to stderr.
#
# How SpamAssassin is driven (the cheapest path that is still its own
# code): config_text replaces every rules/prefs file, so no rule and no
# plugin is loaded; the text holds only trusted_networks,
# internal_networks and originating_ip_headers.  Per message:
# $sa->parse (headers split, body parts left unparsed), a PerMsgStatus
# (needed for the config), then $msg->extract_message_metadata, which is
# Metadata::extract -> Received::parse_received_headers, the same call
# `spamassassin` makes before any rule runs.
#
# Limits: a message is split at a "From " line at file start or after an
# empty line (mboxrd/mboxo; ">From " body lines are left to SA as-is).
use strict;
use warnings;
use Getopt::Long;
use Time::HiRes qw(time);
use Mail::SpamAssassin;
use Mail::SpamAssassin::PerMsgStatus;

my $trusted  = '';
my $internal = '';
# SpamAssassin 4.0's shipped default (10_default_prefs.cf); "none" = off.
my $orig_hdrs = 'X-Yahoo-Post-IP X-Originating-IP X-Apparently-From '
  . 'X-SenderIP X-AOL-IP '
  . 'X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp';
my $show_relays = 0;
my $help = 0;
GetOptions(
  'trusted-networks=s'       => \$trusted,
  'internal-networks=s'      => \$internal,
  'originating-ip-headers=s' => \$orig_hdrs,
  'relays'                   => \$show_relays,
  'help'                     => \$help,
) or die "usage: $0 [--trusted-networks LIST] [--internal-networks LIST] "
  . "[--originating-ip-headers 'H1 H2'|none] [--relays] MBOX...\n";
if ($help || !@ARGV) {
  print STDERR "usage: $0 [--trusted-networks LIST] [--internal-networks LIST]"
    . " [--originating-ip-headers 'H1 H2'|none] [--relays] MBOX...\n";
  exit($help ? 0 : 2);
}

# Lists may be given comma- or space-separated, like squeaky's flags.
sub netlist { my $s = shift; $s =~ s/,/ /g; $s =~ s/^\s+|\s+$//g; return $s; }

my $cf = "clear_trusted_networks\nclear_internal_networks\n"
  . "clear_originating_ip_headers\n";
$cf .= 'trusted_networks ' . netlist($trusted) . "\n" if netlist($trusted) ne '';
$cf .= 'internal_networks ' . netlist($internal) . "\n"
  if netlist($internal) ne '';
$cf .= "originating_ip_headers $orig_hdrs\n" if $orig_hdrs ne 'none';

my $t_start = time;
my $sa = Mail::SpamAssassin->new({
  config_text         => $cf,       # replaces all rule and prefs files
  local_tests_only    => 1,
  dont_copy_prefs     => 1,
  userprefs_filename  => '/dev/null',
  username            => 'bench',
  home_dir_for_helpers => '/nonexistent',
});
$sa->init(0);
my $t_ready = time;
my @cpu_ready = times;

my $index = 0;
my $found = 0;
my $bytes = 0;

sub analyse {
  my ($lines) = @_;
  $index++;
  my $msg = $sa->parse($lines, 0);
  my $pms = Mail::SpamAssassin::PerMsgStatus->new($sa, $msg);
  $msg->extract_message_metadata($pms);
  my $md = $msg->{metadata};
  my $u = $md->{relays_untrusted};
  my $ip = ($u && @$u) ? $u->[0]->{ip} : '';
  $found++ if $ip ne '';
  my $t = $md->{relays_trusted} || [];
  print join("\t", $index, $ip, join(' ', map { $_->{ip} } @$u),
             join(' ', map { $_->{ip} } @$t)), "\n";
  if ($show_relays) {
    print "#\ttrusted:   $md->{relays_trusted_str}\n";
    print "#\tuntrusted: $md->{relays_untrusted_str}\n";
  }
  $pms->finish();
  $msg->finish();
}

for my $path (@ARGV) {
  open(my $fh, '<', $path) or die "$0: $path: $!\n";
  my @cur;
  my $prev_blank = 1;
  while (my $line = <$fh>) {
    $bytes += length $line;
    if ($prev_blank && substr($line, 0, 5) eq 'From ') {
      analyse([@cur]) if @cur;
      @cur = ();
      $prev_blank = 0;
      next;    # the separator is not part of the message
    }
    $prev_blank = ($line eq "\n" || $line eq "\r\n");
    push @cur, $line;
  }
  analyse([@cur]) if @cur;
  close $fh;
}
my $t_end = time;
my @cpu_end = times;
my $secs = $t_end - $t_ready;
my $cpu = ($cpu_end[0] + $cpu_end[1]) - ($cpu_ready[0] + $cpu_ready[1]);
printf STDERR "sa-relays: %d messages, %d with an untrusted relay, "
  . "%.1f MB; start-up %.2f s; analysis %.3f s (CPU %.2f s) = %.0f msgs/s, "
  . "%.2f MB/s\n",
  $index, $found, $bytes / 1e6, $t_ready - $t_start, $secs, $cpu,
  $secs > 0 ? $index / $secs : 0, $secs > 0 ? $bytes / 1e6 / $secs : 0;
$sa->finish();
