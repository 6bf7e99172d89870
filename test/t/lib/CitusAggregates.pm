# Every aggregate of the extension, as test/t/200_citus.pl calls it on the
# log of CitusLog.pm: one row per aggregate (its signature as regprocedure
# prints it), the call, the table it reads and the plan Citus must give a
# query that is not grouped by the distribution column ('partial':
# worker_partial_agg on the shards, coord_combine_agg on the coordinator).
# Grouped by user_id (the distribution column) every aggregate must run
# whole on the workers.  missing_rows() compares the table with pg_aggregate,
# so an aggregate added to the extension without a row here fails the test.
package CitusAggregates;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(@AGGREGATES missing_rows);

my $dp = 'double precision';
my $lambdas = q{'{0.5,2,10,Infinity}'::float8[]};

# [signature, call, table, expected plan]
our @AGGREGATES = (
	map { [ $_->[0], $_->[1], $_->[2] // 'log', $_->[3] // 'partial' ] } (
		# OPE states
		[ "ope_accumulate($dp,$dp,$dp)", 'ope_accumulate(r, propensity, pi)' ],
		[ "ope_accumulate($dp,$dp,$dp,$dp,$dp)", 'ope_accumulate(r, propensity, pi, q, v)' ],
		[ "ope_accumulate($dp,$dp,$dp,$dp\[])", "ope_accumulate(r, propensity, pi, $lambdas)" ],
		[ "ope_accumulate($dp,$dp,$dp,$dp,$dp,$dp\[])", "ope_accumulate(r, propensity, pi, q, v, $lambdas)" ],
		[ "ope_accumulate(boolean,$dp,$dp)", 'ope_accumulate(played, propensity, pi)' ],
		[ "ope_accumulate(boolean,$dp,$dp,$dp,$dp)", 'ope_accumulate(played, propensity, pi, q, v)' ],
		[ "ope_accumulate(boolean,$dp,$dp,$dp\[])", "ope_accumulate(played, propensity, pi, $lambdas)" ],
		[ "ope_accumulate(boolean,$dp,$dp,$dp,$dp,$dp\[])", "ope_accumulate(played, propensity, pi, q, v, $lambdas)" ],
		# estimates
		[ "ips_estimate($dp,$dp,$dp)", 'ips_estimate(r, propensity, pi)' ],
		[ "ips_estimate(boolean,$dp,$dp)", 'ips_estimate(played, propensity, pi)' ],
		[ "snips_estimate($dp,$dp,$dp)", 'snips_estimate(r, propensity, pi)' ],
		[ "snips_estimate(boolean,$dp,$dp)", 'snips_estimate(played, propensity, pi)' ],
		[ "dr_estimate($dp,$dp,$dp,$dp,$dp)", 'dr_estimate(r, propensity, pi, q, v)' ],
		[ "dr_estimate(boolean,$dp,$dp,$dp,$dp)", 'dr_estimate(played, propensity, pi, q, v)' ],
		[ "sndr_estimate($dp,$dp,$dp,$dp,$dp)", 'sndr_estimate(r, propensity, pi, q, v)' ],
		[ "sndr_estimate(boolean,$dp,$dp,$dp,$dp)", 'sndr_estimate(played, propensity, pi, q, v)' ],
		[ "recap_estimate($dp,$dp,integer)", 'recap_estimate(r, propensity, rank)' ],
		[ 'replay_take_fraction(bigint,bigint,boolean)', 'replay_take_fraction(image_id, target_image, played)' ],
		[ "replay_take_fraction(bigint,bigint,boolean,$dp)",
			'replay_take_fraction(image_id, target_image, played, propensity)' ],
		[ "replay_take_fraction(bigint,bigint,$dp)", 'replay_take_fraction(image_id, target_image, minutes)' ],
		[ "replay_take_fraction(bigint,bigint,$dp,$dp)",
			'replay_take_fraction(image_id, target_image, minutes, propensity)' ],
		# the 1.2 states: clustered bootstrap (by user) and paired comparison
		[ "ope_bootstrap($dp,$dp,$dp,bigint)", 'ope_bootstrap(r, propensity, pi, user_id)' ],
		[ "ope_bootstrap($dp,$dp,$dp,bigint,integer)", 'ope_bootstrap(r, propensity, pi, user_id, 50)' ],
		[ "ope_bootstrap($dp,$dp,$dp,bigint,integer,bigint)", 'ope_bootstrap(r, propensity, pi, user_id, 50, 7)' ],
		[ "ope_bootstrap($dp,$dp,$dp,$dp,$dp,bigint)", 'ope_bootstrap(r, propensity, pi, q, v, user_id)' ],
		[ "ope_bootstrap($dp,$dp,$dp,$dp,$dp,bigint,integer)",
			'ope_bootstrap(r, propensity, pi, q, v, user_id, 50)' ],
		[ "ope_bootstrap($dp,$dp,$dp,$dp,$dp,bigint,integer,bigint)",
			'ope_bootstrap(r, propensity, pi, q, v, user_id, 50, 7)' ],
		[ "ope_compare($dp,$dp,$dp,$dp)", 'ope_compare(r, propensity, pi, pi_b)' ],
		[ "ope_compare($dp,$dp,$dp,$dp,$dp,$dp,$dp)", 'ope_compare(r, propensity, pi, pi_b, q, v, v_b)' ],
		# stored states merged
		[ 'ope_merge(ope_state)', 'ope_merge(s)', 'states' ],
		[ 'ope_merge(ope_bootstrap_state)', 'ope_merge(b)', 'states' ],
		[ 'ope_merge(ope_pair_state)', 'ope_merge(p)', 'states' ],
		# models
		[ "bandit_fit(bigint,$dp\[],$dp)", 'bandit_fit(image_id, context, r)' ],
		[ "bandit_fit(bigint,$dp\[],$dp,$dp)", 'bandit_fit(image_id, context, minutes, 1 / propensity)' ],
		[ "bandit_fit(bigint,$dp\[],boolean)", 'bandit_fit(image_id, context, played)' ],
		[ "bandit_fit(bigint,$dp\[],boolean,$dp)", 'bandit_fit(image_id, context, played, 1 / propensity)' ],
		[ 'bandit_merge(banditmodel)', 'bandit_merge(m)', 'states' ],
	));

# The extension's aggregates without a row here, and rows naming none of
# them (signatures as regprocedure prints them with public on the path).
sub missing_rows
{
	my ($node) = @_;
	my @catalog = split /\n/, $node->safe_psql(
		'postgres', q{
		SELECT p.oid::regprocedure::text FROM pg_aggregate a
		JOIN pg_proc p ON p.oid = a.aggfnoid
		JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
		     AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'artbandit'
		ORDER BY 1});
	my %rows = map { $_->[0] => 1 } @AGGREGATES;
	my %cat = map { $_ => 1 } @catalog;
	return ([ grep { !$rows{$_} } @catalog ], [ grep { !$cat{$_} } sort keys %rows ], scalar @catalog);
}

1;
