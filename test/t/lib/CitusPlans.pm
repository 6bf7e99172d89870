# Reading Citus 12.1 plans (test/t/200_citus.pl).
#
# plan_kind: where EXPLAIN VERBOSE says an aggregate runs --
#   'partial'  the shards run worker_partial_agg('<schema>.<signature>'::regprocedure, ...)
#              and the coordinator coord_combine_agg('<oid>'::oid, ...): states travel;
#   'workers'  the task query holds the aggregate itself and the coordinator
#              aggregates nothing (a GROUP BY on the distribution column);
#   'rows'     the coordinator runs the aggregate over remote_scan columns:
#              every row travels (Citus' "row-gather");
#   'other'    none of these.
#
# received_bytes: what the coordinator received from the workers for a
# query, as Citus counts it (adaptive_executor.c: the libpq length of every
# value of every row; EXPLAIN ANALYZE prints it, through pg_size_pretty, as
# "Tuple data received from nodes").  Citus 12.1 cannot EXPLAIN ANALYZE a
# worker_partial_agg plan (citusdata/citus#4043: 'column "field_0" has
# pseudo-type cstring': the partial state travels as a cstring, its text).
# counted_bytes counts the same thing without EXPLAIN ANALYZE: the task
# queries of EXPLAIN VERBOSE (all tasks) run on their nodes and the length
# of each value as Citus receives it summed; the test checks it against
# EXPLAIN ANALYZE where EXPLAIN ANALYZE works.
package CitusPlans;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(plan_kind received_bytes counted_bytes bytes_of);

# The coordinator's part of a plan: the lines above the Citus scan.
sub _coordinator_part
{
	my ($plan) = @_;
	my ($top) = split /^.*Custom Scan \(Citus Adaptive\).*$/m, $plan, 2;
	return $top // '';
}

sub plan_kind
{
	my ($plan, $oid, $qualified, $name) = @_;
	my $coord = _coordinator_part($plan);
	my @queries = $plan =~ /^\s*Query: (.*)$/mg;
	return 'other' unless @queries;
	return 'partial'
	  if $coord =~ /coord_combine_agg\('$oid'::oid, remote_scan\./
	  && (grep { /worker_partial_agg\('\Q$qualified\E'::regprocedure, / } @queries) == @queries;
	return 'workers'
	  if $coord !~ /Aggregate/
	  && (grep { /\b\Q$name\E\(/ && !/worker_partial_agg/ } @queries) == @queries;
	return 'rows' if $coord =~ /Output: .*\b\Q$name\E\(remote_scan\./;
	return 'other';
}

# pg_size_pretty's text back to bytes (rounded, as printed).
sub bytes_of
{
	my ($text) = @_;
	my %unit = (bytes => 1, kB => 1024, MB => 1024**2, GB => 1024**3);
	return $text =~ /^(\d+) (bytes|kB|MB|GB)$/ ? $1 * $unit{$2} : undef;
}

# (bytes, printed, rows) from EXPLAIN ANALYZE (rows: what the Citus scan
# returned), or (undef, error) when Citus cannot EXPLAIN ANALYZE the query.
sub received_bytes
{
	my ($node, $query, $settings) = @_;
	my ($ret, $out, $err) = $node->psql('postgres',
		($settings // '') . "EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) $query");
	return (undef, $err) if $ret != 0;
	my ($printed) = $out =~ /Tuple data received from nodes: (\d+ \w+)/;
	return (undef, "no 'Tuple data received from nodes' in:\n$out") unless defined $printed;
	my ($rows) = $out =~ /Custom Scan \(Citus Adaptive\) \(actual rows=(\d+)/;
	return (bytes_of($printed), $printed, $rows);
}

# (bytes, rows): the task queries run on their nodes and the libpq length
# of each value summed, as Citus receives them with its default
# citus.enable_binary_protocol = on: in binary (the type's send function)
# when every column's type has binary I/O and is not a row type, else as
# text.  $nodes maps a port to its node.
sub counted_bytes
{
	my ($coord, $nodes, $query) = @_;
	my $plan = $coord->safe_psql('postgres',
		"SET citus.explain_all_tasks = on; EXPLAIN (VERBOSE, COSTS OFF) $query");
	my ($outputs) = $plan =~ /Custom Scan \(Citus Adaptive\)\n\s*Output: (.*)\n/;
	die "no output list of the Citus scan in:\n$plan" unless defined $outputs;
	my $ncols = () = $outputs =~ /remote_scan\./g;
	my $cols = join ', ', map { "c$_" } 1 .. $ncols;
	my ($bytes, $rows) = (0, 0);
	while ($plan =~ /^\s*Query: (.*)\n\s*Node: host=\S+ port=(\d+)/mg)
	{
		my ($task, $port) = ($1, $2);
		my $node = $nodes->{$port} or die "no node on port $port";
		# the columns' types, their send functions, and whether Citus would
		# take them in binary (multi_copy.c, CanUseBinaryCopyFormatForType)
		my $types = join ', ', map { "pg_typeof(t.c$_)::oid" } 1 .. $ncols;
		my $send = $node->safe_psql('postgres', qq{
			SELECT string_agg(y.typsend::regproc::text, ' ' ORDER BY u.k),
			       bool_and(y.typsend <> 0 AND y.typreceive <> 0 AND y.typtype <> 'c'
			                AND (y.typelem = 0 OR (SELECT e.typsend <> 0 AND e.typreceive <> 0
			                                       FROM pg_type e WHERE e.oid = y.typelem)))
			FROM (SELECT ARRAY[$types] AS a FROM ($task) t($cols) LIMIT 1) x,
			     unnest(x.a) WITH ORDINALITY u(oid, k) JOIN pg_type y ON y.oid = u.oid});
		my ($funcs, $binary) = split /\|/, $send;
		next if $funcs eq '';    # no rows
		my @f = split / /, $funcs;
		my $len = join ' + ', map {
			$binary eq 't'
			  ? "coalesce(octet_length($f[$_ - 1](t.c$_)), 0)"
			  : "coalesce(octet_length(t.c$_\::text), 0)"
		} 1 .. $ncols;
		my ($b, $r) = split /\|/, $node->safe_psql('postgres',
			"SELECT coalesce(sum($len), 0), count(*) FROM ($task) t($cols)");
		$bytes += $b;
		$rows += $r;
	}
	return ($bytes, $rows);
}

1;
