# The scheduled jobs on Citus tables (test/t/200_citus.pl): bandit_refresh_models,
# bandit_current_models, bandit_rollback_models, ope_rollup_range,
# ope_rollup_day and ope_rollup_report run against the distributed log
# with their models and results tables distributed ('dist': by scope and
# by policy) and as reference tables ('ref'), and against the local copy
# of the log with local tables ('local', the single-node answer).  Every
# return value, stored model and state and report row must agree to the
# tolerance, and the errors for unknown names must be the same.
#
# The jobs read the log's rows of a day through a cursor on the
# coordinator (they score each row with the target's model in C), so on
# Citus those rows travel to the coordinator: a job is not pushed down.
package CitusJobs;

use strict;
use warnings;

use Test::More;
use CitusCompare qw(reader same_numbers);

use Exporter 'import';
our @EXPORT_OK = qw(check_jobs);

my @KINDS = qw(dist ref local);

sub _log { return $_[0] eq 'local' ? 'log_local' : 'log' }

sub _create_tables
{
	my ($node) = @_;
	$node->safe_psql(
		'postgres', q{
		CREATE TABLE models_local (
			name text NOT NULL, scope text NOT NULL, version int NOT NULL,
			created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
			n_rows bigint, retired boolean NOT NULL DEFAULT false, model banditmodel NOT NULL,
			PRIMARY KEY (name, scope, version));
		CREATE TABLE models_dist (LIKE models_local INCLUDING ALL);
		SELECT create_distributed_table('models_dist', 'scope');
		CREATE TABLE models_ref (LIKE models_local INCLUDING ALL);
		SELECT create_reference_table('models_ref');
		CREATE TABLE results_local (
			day date NOT NULL, policy text NOT NULL, segment_by text NOT NULL DEFAULT '',
			segment text NOT NULL DEFAULT '', state ope_state NOT NULL,
			computed_at timestamptz NOT NULL DEFAULT now(), definition text,
			PRIMARY KEY (day, policy, segment_by, segment));
		CREATE TABLE results_dist (LIKE results_local INCLUDING ALL);
		SELECT create_distributed_table('results_dist', 'policy');
		CREATE TABLE results_ref (LIKE results_local INCLUDING ALL);
		SELECT create_reference_table('results_ref');});
	return;
}

# $sql with %k, %log replaced, run for each kind: {kind => (ret, out, err)}
sub _each
{
	my ($node, $sql) = @_;
	my %got;
	for my $k (@KINDS)
	{
		(my $s = $sql) =~ s/%k/$k/g;
		my $log = _log($k);
		$s =~ s/%log/$log/g;
		my ($ret, $out, $err) = $node->psql('postgres', $s);
		$err =~ s/_$k\b/_KIND/g;
		$err =~ s/^(?:NOTICE|LOG|CONTEXT|WARNING):.*\n?//mg;
		$got{$k} = [ $ret, $out, $err ];
	}
	return \%got;
}

# The same outcome for every kind: numbers to $tol, everything else exactly.
sub _agree
{
	my ($node, $tol, $what, $sql, $want) = @_;
	my $got = _each($node, $sql);
	my $local = $got->{local};
	if (defined $want)
	{
		is($local->[0] ? "ERROR: $local->[2]" : $local->[1], $want, "$what (single node)");
	}
	for my $k (qw(dist ref))
	{
		my ($ret, $out, $err) = @{ $got->{$k} };
		if ($local->[0] || $ret)
		{
			is($ret ? $err : "no error, $out", $local->[0] ? $local->[2] : "no error, $local->[1]",
				"$what: the same error with the $k table");
			next;
		}
		my $diff = same_numbers($out, $local->[1], $tol);
		ok(!defined $diff, "$what: the single-node answer with the $k table") or diag($diff);
	}
	return;
}

sub check_jobs
{
	my ($node, $tol) = @_;
	_create_tables($node);

	# models: two versions per show, the second rolled back
	_agree($node, $tol, 'bandit_refresh_models (version 1)',
		q{SELECT bandit_refresh_models('%log', 'models_%k', 'ctr', '2026-11-01', '2026-11-20', scope_column => 'show_id')},
		'10');
	_agree($node, $tol, 'bandit_refresh_models (version 2)',
		q{SELECT bandit_refresh_models('%log', 'models_%k', 'ctr', '2026-11-01', '2026-11-25', scope_column => 'show_id')},
		'10');
	_agree($node, $tol, 'the stored models',
		q{CREATE TEMP TABLE m AS SELECT scope || '/' || version || '/' || n_rows || '/' || trained_to AS g, model
		  FROM models_%k; } . reader('banditmodel', 'm', 'model'));
	_agree($node, $tol, 'bandit_current_models',
		q{CREATE TEMP TABLE m AS SELECT scope || '/' || version AS g, model FROM bandit_current_models('models_%k', 'ctr'); }
		  . reader('banditmodel', 'm', 'model'));
	_agree($node, $tol, 'bandit_rollback_models', q{SELECT bandit_rollback_models('models_%k', 'ctr')}, '2');
	_agree($node, $tol, 'bandit_current_models after the rollback',
		q{SELECT scope, version FROM bandit_current_models('models_%k', 'ctr') ORDER BY scope});
	_agree($node, $tol, 'bandit_current_models of an unknown model',
		q{SELECT * FROM bandit_current_models('models_%k', 'nope')},
		'ERROR: psql:<stdin>:1: ERROR:  there is no model "nope" in table public.models_KIND'
		  . "\nHINT:  bandit_refresh_models writes the versions of a model; check the name.");

	# the target policies, from the single-node models (a reference table)
	$node->safe_psql(
		'postgres', q{
		CREATE TABLE targets (name text PRIMARY KEY, policy text NOT NULL,
		                      model banditmodel NOT NULL, reward_model banditmodel);
		SELECT create_reference_table('targets');
		INSERT INTO targets
		SELECT p.name, p.policy, m.model, m.model
		FROM (SELECT bandit_merge(model) AS model FROM bandit_current_models('models_local', 'ctr')) m,
		     (VALUES ('greedy', 'greedy'), ('linucb', 'linucb(alpha=0.5)')) p(name, policy);});

	# daily states: a range, a day by show, the day again (idempotent)
	_agree($node, $tol, 'ope_rollup_range',
		q{SELECT ope_rollup_range('%log', 'results_%k', 'targets', '2026-11-21', '2026-11-30')}, '20');
	for my $run (1, 2)
	{
		_agree($node, $tol, "ope_rollup_day by show (run $run)",
			q{SELECT ope_rollup_day('%log', 'results_%k', 'targets', '2026-11-30', segment_column => 'show_id');
			  SELECT count(*) FROM results_%k}, "20\n40");
	}
	_agree($node, $tol, 'the stored states',
		q{CREATE TEMP TABLE s AS SELECT day || '/' || policy || '/' || segment_by || '/' || segment || '/' || definition AS g,
		  state FROM results_%k; } . reader('ope_state', 's', 'state'));
	for my $args ("'', 0.95, false", "'', 0.9, true", "'show_id', 0.95, false")
	{
		_agree($node, $tol, "ope_rollup_report($args)",
			qq{SELECT * FROM ope_rollup_report('results_%k', '2026-11-21', '2026-11-30', NULL, $args)
			   ORDER BY day, policy, segment, estimator});
	}
	_agree($node, $tol, 'ope_rollup_report of one listed policy',
		q{SELECT * FROM ope_rollup_report('results_%k', '2026-11-21', '2026-11-30', ARRAY['linucb'])
		  ORDER BY policy, estimator});
	_agree($node, $tol, 'ope_rollup_report of an unknown policy',
		q{SELECT * FROM ope_rollup_report('results_%k', '2026-11-21', '2026-11-30', ARRAY['linucb', 'nope'])},
		'ERROR: psql:<stdin>:1: ERROR:  target policy "nope" has no states in table public.results_KIND'
		  . "\nHINT:  Compute its days with ope_rollup_day first, or check the name.");
	return;
}

1;
