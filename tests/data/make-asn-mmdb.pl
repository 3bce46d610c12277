#!/usr/bin/perl
# make-asn-mmdb.pl IN.csv OUT.mmdb [4|6] - write an ASN MMDB (GeoLite2-ASN
# layout: autonomous_system_number, autonomous_system_organization) from
# lines "prefix,asn,org" or "start,end,asn,org" (the ip-location-db CSV;
# org may be "quoted, with commas").  Used by
# tests/unit/prefixdb_import_test.c; needs Debian's
# libmaxmind-db-writer-perl.  IPv6 trees alias ::ffff:0:0/96 to ::/96.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($in, $out, $ipv) = @ARGV;
die "usage: $0 IN.csv OUT.mmdb [4|6]\n" unless defined $out;
$ipv ||= 6;
my %types = (autonomous_system_number => 'uint32',
             autonomous_system_organization => 'utf8_string');
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version => $ipv, record_size => 24, database_type => 'Test-ASN',
    languages => ['en'], description => { en => 'squeaky test ASN db' },
    map_key_type_callback => sub { $types{ $_[0] } },
    remove_reserved_networks => 0, alias_ipv6_to_ipv4 => ($ipv == 6 ? 1 : 0),
);
my $skipped = 0;
open my $fh, '<:encoding(UTF-8)', $in or die "$in: $!\n";
while (my $line = <$fh>) {
    chomp $line;
    next if $line =~ /^\s*(#|$)/;
    # "prefix,asn,org" or ip-location-db's "start,end,asn,org"
    my ($net, $end, $asn, $org) =
        $line =~ /^([^,]+),(?:([^,]+),)?(\d+),(.*)$/ or die "bad: $line\n";
    next if $ipv == 4 && $net =~ /:/;
    $org =~ s/^"(.*)"$/$1/ and $org =~ s/""/"/g;
    my $rec = { autonomous_system_number => $asn + 0,
                autonomous_system_organization => $org };
    # Networks inside the aliased ranges (2001::/32 Teredo, 2002::/16
    # 6to4) are refused by the writer: skip them, with a count.
    my $ok = eval {
        if (defined $end) {
            $tree->insert_range($net, $end, $rec);
        } else {
            $tree->insert_network($net, $rec);
        }
        1;
    };
    $skipped++ unless $ok;
}
close $fh;
warn "$0: $skipped networks in aliased ranges skipped\n" if $skipped;
open my $o, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($o);
close $o or die "$out: $!\n";
