# API.md: "on 10 million rows an estimate agrees with an exactly rounded
# reference to 1e-12 relative, with and without parallel workers".  The
# reference is the same formulas over numeric (exact sums of the float8
# values, read through their shortest exact text).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use TestScale qw(scaled);

# make check's quick mode: one million rows (the same checks)
my $rows = scaled(10_000_000, 1_000_000);
note("$rows rows");

my $node = PostgreSQL::Test::Cluster->new('ten_million');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
fsync = off
});
$node->start;
(my $setup = q{
	CREATE EXTENSION artbandit;
	CREATE UNLOGGED TABLE log AS
	SELECT ((i * 31) % 17) / 16.0::float8 + 1e6 * ((i % 2) * 2 - 1) AS r,
	       (1 + (i * 7919) % 10) / 10.0::float8 AS mu,
	       ((i * 104729) % 11) / 10.0::float8 AS pi,
	       ((i * 13) % 9) / 8.0::float8 + 1e6 * ((i % 2) * 2 - 1) AS q,
	       ((i * 17) % 5) / 4.0::float8 AS v
	FROM generate_series(1::int8, ROWS) i;
	ANALYZE log;
	CREATE FUNCTION close_to(ours float8, exact numeric) RETURNS bool
	LANGUAGE sql IMMUTABLE AS $$ SELECT abs(ours::numeric - exact) <= 1e-12 * abs(exact) $$;
	CREATE TABLE ref AS
	WITH t AS (SELECT r::text::numeric AS r, mu::text::numeric AS mu, pi::text::numeric AS pi,
	                  q::text::numeric AS q, v::text::numeric AS v FROM log)
	SELECT sum(pi * r) / sum(pi) AS replay,
	       sum(pi / mu * r) / count(*) AS ips,
	       sum(pi / mu * r) / sum(pi / mu) AS snips,
	       sum(v) / count(*) AS dm,
	       sum(v + pi / mu * (r - q)) / count(*) AS dr,
	       sum(v) / count(*) + sum(pi / mu * (r - q)) / sum(pi / mu) AS sndr
	FROM t;});
$setup =~ s/ROWS/$rows/;
$node->safe_psql('postgres', $setup);

my $compare = q{
	SELECT string_agg(estimator || '=' || close_to(estimate, CASE estimator
	           WHEN 'replay' THEN ref.replay WHEN 'ips' THEN ref.ips WHEN 'snips' THEN ref.snips
	           WHEN 'dm' THEN ref.dm WHEN 'dr' THEN ref.dr WHEN 'sndr' THEN ref.sndr END), ',')
	FROM (SELECT ope_accumulate(r, mu, pi, q, v) AS s FROM log) x, ope_report(x.s), ref};
my $all_true = 'replay=true,ips=true,snips=true,dm=true,dr=true,sndr=true';

is($node->safe_psql('postgres', "SET max_parallel_workers_per_gather = 0; $compare"),
	$all_true, 'serial: every estimate within 1e-12 of the exact reference');

my $plan = $node->safe_psql('postgres',
	'EXPLAIN (COSTS OFF) SELECT ope_accumulate(r, mu, pi, q, v) FROM log');
like($plan, qr/Gather.*Partial Aggregate/s, 'the plan is parallel');
is($node->safe_psql('postgres', $compare),
	$all_true, 'parallel: every estimate within 1e-12 of the exact reference');

$node->stop;
done_testing();
