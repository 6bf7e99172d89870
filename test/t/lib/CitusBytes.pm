# Bytes the coordinator receives from the workers (test/t/200_citus.pl):
# for ope_accumulate and bandit_fit over the distributed log at two sizes,
# against the bytes of the rows those aggregates read (what a plan that
# pulls the rows receives, EXPLAIN ANALYZE of a plain SELECT of those
# columns) and the size of the log's shards.  A state-only plan receives one
# state per shard (and group), whatever the rows: the figure must not grow
# with the log and must be small against the rows.  How the bytes are
# counted: CitusPlans.pm.
package CitusBytes;

use strict;
use warnings;

use Test::More;
use CitusPlans qw(received_bytes counted_bytes);
use CitusLog qw(add_impressions);

use Exporter 'import';
our @EXPORT_OK = qw(measure_bytes);

my @MEASURED = (
	[ 'ope_accumulate', 'ope_accumulate(r, propensity, pi, q, v)', 'r, propensity, pi, q, v' ],
	[ 'bandit_fit', 'bandit_fit(image_id, context, r)', 'image_id, context, r' ],
);

sub _pretty
{
	my ($node, $bytes) = @_;
	return $node->safe_psql('postgres', "SELECT pg_size_pretty(${bytes}::bigint)");
}

# What the coordinator receives for one aggregate: (bytes, printed, how,
# values), Citus' own figure where it can print one, else the task queries
# counted (the partial plans, citus#4043).
sub _state_bytes
{
	my ($coord, $nodes, $query) = @_;
	my ($bytes, $printed, $rows) = received_bytes($coord, $query);
	return ($bytes, $printed, 'EXPLAIN ANALYZE', $rows) if defined $bytes;
	die "EXPLAIN ANALYZE failed otherwise than citus#4043: $printed"
	  unless $printed =~ /column "field_0" has pseudo-type cstring/;
	($bytes, $rows) = counted_bytes($coord, $nodes, $query);
	return ($bytes, _pretty($coord, $bytes), 'task queries', $rows);
}

sub measure_bytes
{
	my ($coord, $nodes, $big) = @_;

	# The counting is Citus' own: a text column (binary protocol, as a
	# partial state travels) counted both ways on a few hundred states.
	my $check = 'SELECT ope_accumulate(r, propensity, pi, q, v)::text FROM log WHERE user_id % 50 = 0 GROUP BY user_id';
	my (undef, $printed) = received_bytes($coord, $check);
	my ($counted, $nrows) = counted_bytes($coord, $nodes, $check);
	is(_pretty($coord, $counted), $printed,
		"the task queries' values counted give Citus' own figure ($printed for $nrows states)");

	my @table;
	my %fig;
	my $size = 20000;
	for my $round (0, 1)
	{
		if ($round)
		{
			add_impressions($coord, $big - $size, 43, 1_000_001, 'log');
			$coord->safe_psql('postgres', 'ANALYZE log');
			$size = $big;
		}
		is($coord->safe_psql('postgres', 'SELECT count(*) FROM log'), $size, "the log has $size rows");
		my $shards = $coord->safe_psql('postgres', q{SELECT pg_size_pretty(citus_total_relation_size('log'))});
		my $nshards = $coord->safe_psql('postgres',
			q{SELECT count(*) FROM citus_shards WHERE table_name = 'log'::regclass});
		for my $m (@MEASURED)
		{
			my ($name, $call, $cols) = @$m;
			my $query = "SELECT $call FROM log";
			my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $query");
			my $kind = $plan =~ /coord_combine_agg\(/ ? 'partial'
			  : $plan =~ /\b$name\(remote_scan\./ ? 'rows' : 'other';
			my ($sb, $sp, $how, $values) = _state_bytes($coord, $nodes, $query);
			my ($rb, $rp) = received_bytes($coord, "SELECT $cols FROM log");
			$fig{$name}{$round} = [ $sb, $rb, $values, $nshards ];
			push @table, sprintf('%8d  %-15s %-8s %7d %10s (%s)  %12s  %10s',
				$size, $name, $kind, $values, $sp, $how, $rp, $shards);
		}
	}
	diag(join "\n", 'bytes the coordinator received from the workers (Citus 12.1.12, '
		  . $coord->safe_psql('postgres', q{SELECT count(*) FROM citus_shards WHERE table_name = 'log'::regclass})
		  . ' shards on 2 workers):',
		sprintf('%8s  %-15s %-8s %7s %27s  %12s  %10s',
			'rows', 'aggregate', 'plan', 'values', 'received', "rows' bytes", 'shards'),
		@table);

	for my $m (@MEASURED)
	{
		my $name = $m->[0];
		my ($small, $large) = ($fig{$name}{0}, $fig{$name}{1});
		is("$small->[2] $large->[2]", "$small->[3] $large->[3]",
			"$name: the coordinator receives one state per shard for 20000 rows and for $big");
		# a state's text grows by a few digits as its sums and counts do
		ok($large->[0] <= 1.25 * $small->[0],
			"$name: and about as many bytes for $big rows as for 20000: $small->[0] and $large->[0]");
		ok($large->[0] * 20 <= $large->[1],
			"$name: what it receives for $big rows is at most a twentieth of the rows' bytes: "
			  . "$large->[0] against $large->[1]");
	}
	return;
}

1;
