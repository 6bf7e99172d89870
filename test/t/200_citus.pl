# Scale-out on Citus 12.1 (issue 14): a coordinator and two workers on
# 127.0.0.1 (CitusCluster.pm), an exploration log distributed by user_id
# (CitusLog.pm), and for every aggregate of the extension
# (CitusAggregates.pm, checked against pg_aggregate):
#   1. pushdown: EXPLAIN VERBOSE of the aggregate grouped by show_id, by day
#      and by nothing shows worker_partial_agg on the shards and
#      coord_combine_agg on the coordinator; grouped by user_id, the whole
#      aggregate on the workers (CitusPlans.pm);
#   2. same answers: every estimate, interval, diagnostic, bootstrap and
#      comparison row, model arm and prediction on the distributed log equals
#      the single-node answer over the coordinator's local copy to 1e-12
#      relative (CitusCompare.pm);
#   3. the scheduled jobs (ope_rollup_day/_range/_report, bandit_refresh_models
#      and friends) on the distributed log, with their results in a
#      distributed and in a reference table, give the single-node results
#      (CitusJobs.pm);
#   4. measured: the bytes the coordinator receives for ope_accumulate and
#      bandit_fit over the log at two sizes against the bytes of the rows,
#      printed as a table (CitusBytes.pm).
# Citus is built from the vendored source by test/lib/citus.sh (make test,
# make check); without it and without the source the test skips, saying so.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use CitusCluster qw(skip_unless_citus citus_cluster);
use CitusLog qw(create_models add_impressions distribute_log create_states);
use CitusAggregates qw(@AGGREGATES missing_rows);
use CitusPlans qw(plan_kind);
use CitusCompare qw(reader same_numbers);
use CitusJobs qw(check_jobs);
use CitusBytes qw(measure_bytes);

my $tol = 1e-12;

skip_unless_citus();
my ($coord, $workers) = citus_cluster();
my %by_port = map { $_->port => $_ } $coord, @$workers;

is( $coord->safe_psql('postgres',
		q{SELECT count(*) FROM citus_get_active_worker_nodes() WHERE node_name = '127.0.0.1'}),
	'2', 'the coordinator has two active workers on 127.0.0.1');

# --- the log -----------------------------------------------------------------
create_models($coord);
add_impressions($coord, 20000, 42, 1);
distribute_log($coord);
create_states($coord);
$coord->safe_psql('postgres',
	'CREATE TABLE probe AS SELECT id, context, image_id FROM log_local ORDER BY id LIMIT 20');
is( $coord->safe_psql(
		'postgres', q{
		SELECT (SELECT count(*) FROM log), (SELECT count(*) FROM log_local),
		       (SELECT count(*) FROM states) = (SELECT count(*) FROM states_local),
		       (SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'log'::regclass)}),
	'20000|20000|t|2', 'the log and its states are distributed over both workers, whole');
for my $w (@$workers)
{
	ok( $w->safe_psql('postgres',
			q{SELECT count(*) > 0 FROM pg_extension WHERE extname = 'artbandit'}) eq 't',
		'artbandit is created on worker ' . $w->name);
}

# --- 1. every aggregate pushed down --------------------------------------------
my ($unlisted, $unknown, $naggs) = missing_rows($coord);
is_deeply($unlisted, [], "every aggregate of the extension ($naggs) has a row in CitusAggregates.pm");
is_deeply($unknown, [], 'every row of CitusAggregates.pm names an aggregate of the extension');

# signature => [oid, schema-qualified signature (as Citus prints it), result type]
my %qualified = map { split /\|/ } split /\n/, $coord->safe_psql('postgres',
	q{SET search_path = ''; SELECT p.oid, p.oid::pg_catalog.regprocedure FROM pg_catalog.pg_proc p
	  WHERE p.prokind = 'a' AND p.pronamespace = 'public'::pg_catalog.regnamespace});
my %catalog = map { my ($sig, $oid, $type) = split /\|/; ($sig => [ $oid, $qualified{$oid}, $type ]) }
  split /\n/, $coord->safe_psql('postgres',
	q{SELECT p.oid::regprocedure, p.oid, format_type(p.prorettype, NULL) FROM pg_proc p
	  WHERE p.prokind = 'a' AND p.pronamespace = 'public'::regnamespace});

my @groupings = ([ 'nothing', '' ], [ 'show_id', 'show_id' ], [ 'day', 'day' ], [ 'user_id', 'user_id' ]);
for my $agg (@AGGREGATES)
{
	my ($sig, $call, $table, $expected) = @$agg;
	my ($oid, $qualified) = @{ $catalog{$sig} // [ 0, '' ] };
	my ($name) = $sig =~ /^(\w+)\(/;
	for my $g (@groupings)
	{
		my ($label, $col) = @$g;
		my $query = $col ? "SELECT $col, $call FROM $table GROUP BY $col" : "SELECT $call FROM $table";
		my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $query");
		my $want = $col eq 'user_id' ? 'workers' : $expected;
		is(plan_kind($plan, $oid, $qualified, $name), $want, "$sig grouped by $label: $want")
		  or diag($plan);
	}
}

# --- 2. same answers ------------------------------------------------------------
for my $agg (@AGGREGATES)
{
	my ($sig, $call, $table) = @$agg;
	my $type = $catalog{$sig} ? $catalog{$sig}[2] : 'unknown';
	for my $g (@groupings[ 0 .. 2 ])
	{
		my ($label, $col) = @$g;
		my %read;
		for my $t ($table, "${table}_local")
		{
			my $select = $col
			  ? "SELECT $col AS g, $call AS v FROM $t GROUP BY $col"
			  : "SELECT 0 AS g, $call AS v FROM $t";
			$read{$t} = $coord->safe_psql('postgres',
				"DROP TABLE IF EXISTS answer; CREATE TABLE answer AS $select; " . reader($type, 'answer', 'v'));
		}
		my $diff = same_numbers($read{$table}, $read{"${table}_local"}, $tol);
		ok(!defined $diff && $read{$table} ne '',
			"$sig grouped by $label: the single-node answer (" . scalar(split /\n/, $read{$table}) . ' lines)')
		  or diag($diff // 'no rows');
	}
}

# --- 3. the scheduled jobs on Citus tables ------------------------------------
check_jobs($coord, $tol);

# --- 4. bytes to the coordinator ----------------------------------------------
measure_bytes($coord, \%by_port, 200000);

done_testing();
