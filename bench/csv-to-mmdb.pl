#!/usr/bin/perl
# csv-to-mmdb.pl - turn the ip-location-db ASN CSVs (asn-ipv4.csv,
# asn-ipv6.csv: start,end,asn,"org") into a GeoLite2-ASN-like MMDB with
# Debian's libmaxmind-db-writer-perl, so that libmaxminddb and squeaky
# answer from the same data in bench/run-db.sh.
#
#   perl bench/csv-to-mmdb.pl OUT.mmdb asn-ipv4.csv asn-ipv6.csv
#
# The tree is IPv6 (record size 28) with IPv4 in ::/96 and the GeoLite
# aliases (::ffff:0:0/96, 2001::/32 Teredo, 2002::/16 6to4 point at the
# IPv4 subtree).  Ranges go in with insert_range, which splits a range
# that is not CIDR-aligned into the exact prefixes.  Rows inside an
# aliased network cannot be stored (the writer refuses them); they are
# skipped and counted, and run-db.sh draws no address from them.
# Reserved networks are kept (remove_reserved_networks => 0) so that
# every CSV row is in the file.  Where two rows cover the same prefix
# the first one wins, as in squeaky's builder (docs/PREFIXDB.md): the
# writer keeps the last insert (merge_strategy none), so rows go in in
# reverse order.  The published CSVs have one such overlap,
# 214.95.0.0-215.0.255.255 AS749 and 215.0.0.0-215.1.3.255 AS721 (both
# hold 215.0.0.0/16); no row nests inside another, so reverse order
# changes nothing else.
#
# Data: ip-location-db (npm @ip-location-db/asn), CC-BY-4.0, from
# RouteViews and DB-IP.
use strict;
use warnings;
use Encode qw(decode);
use MaxMind::DB::Writer::Tree;
use Time::HiRes qw(time);

@ARGV >= 2 or die "usage: $0 OUT.mmdb CSV...\n";
my ( $out, @csvs ) = @ARGV;
my $t0 = time;

my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => 'GeoLite2-ASN',
    languages                => ['en'],
    description              => { en => 'ip-location-db ASN (CC-BY-4.0)' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    alias_ipv6_to_ipv4       => 1,
    remove_reserved_networks => 0,
    merge_strategy           => 'none',
);

# Teredo and 6to4 are aliases of the IPv4 subtree in the file.
sub aliased {
    my ($ip) = @_;
    return $ip =~ /^2001:0{0,4}:/i || $ip =~ /^2002:/i || $ip =~ /^::ffff:/i;
}

my ( $skipped, $bad, @rows ) = ( 0, 0 );
for my $csv (@csvs) {
    open my $fh, '<:raw', $csv or die "$csv: $!\n";
    while ( my $line = <$fh> ) {
        $line =~ s/\r?\n\z//;
        my ( $start, $end, $asn, $org ) = split /,/, $line, 4;
        if ( !defined $org || $asn !~ /^\d+\z/ ) {
            $bad++;
            next;
        }
        if ( $org =~ /^"(.*)"\z/s ) {
            ( $org = $1 ) =~ s/""/"/g;
        }
        if ( aliased($start) || aliased($end) ) {
            $skipped++;
            next;
        }
        push @rows, [ $start, $end, $asn + 0, decode( 'UTF-8', $org ) ];
    }
    close $fh;
}
for my $r ( reverse @rows ) {
    $tree->insert_range(
        $r->[0], $r->[1],
        {
            autonomous_system_number       => $r->[2],
            autonomous_system_organization => $r->[3],
        }
    );
}
my $rows = @rows;
my $t1 = time;
open my $ofh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
$tree->write_tree($ofh);
close $ofh or die "$out.tmp: $!\n";
rename "$out.tmp", $out or die "$out: $!\n";
my $t2 = time;
printf STDERR "csv-to-mmdb: %d ranges inserted, %d in aliased networks "
    . "skipped, %d bad lines; insert %.1f s, write %.1f s, %d bytes\n",
    $rows, $skipped, $bad, $t1 - $t0, $t2 - $t1, -s $out;
