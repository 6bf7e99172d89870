# Data safety: ope_state and banditmodel values survive every way of moving
# a database bit for bit -- pg_dump custom format + pg_restore, directory
# format + parallel pg_restore, plain SQL + psql, --inserts (text literals
# instead of COPY), binary COPY (the send/receive path, which pg_dump itself
# never uses) and logical replication with binary = true -- compared by
# ::text and by the send bytes of every value.  The values include empty
# states of both kinds, DR states, states with skipped rows and compensation
# terms, hand-written extreme states, a model without arms, a model at the
# extreme limits, multi-arm weighted models and a TOASTed 64-dimensional
# model.  The extension lives in its own schema, and a view, a CHECK
# constraint, a column default and a materialized view that call it are
# restored under pg_dump's empty search_path.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_restore');
$node->init(allows_streaming => 'logical');
$node->append_conf('postgresql.conf', "fsync = off\n");
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql(
	'src', q{
	CREATE SCHEMA ab;
	CREATE EXTENSION artbandit SCHEMA ab;
	CREATE SCHEMA data;

	CREATE TABLE data.states (
		k int PRIMARY KEY,
		s ab.ope_state DEFAULT ab.ope_merge(NULL::ab.ope_state, NULL::ab.ope_state),
		CHECK (s IS NULL OR (ab.ope_diagnostics(s)).n >= 0));
	CREATE TABLE data.models (k int PRIMARY KEY, m ab.banditmodel);

	-- empty states of both kinds
	INSERT INTO data.states
	SELECT 1, ab.ope_accumulate(r, mu, pi) FROM (VALUES (1.0::float8, 0.5::float8, 1.0::float8)) v(r, mu, pi) WHERE false;
	INSERT INTO data.states
	SELECT 2, ab.ope_accumulate(r, mu, pi, q, v) FROM (VALUES (1.0::float8, 0.5::float8, 1.0::float8, 0.5::float8, 0.5::float8)) v(r, mu, pi, q, v) WHERE false;
	-- basic and DR states with full-precision sums, offsets that leave
	-- compensation terms, and skipped rows
	INSERT INTO data.states
	SELECT 3, ab.ope_accumulate(sin(i) + 1e6 * (i % 2 * 2 - 1), 0.05 + (i % 19) / 20.0, (i % 7) / 7.0)
	FROM generate_series(1, 5000) i;
	INSERT INTO data.states
	SELECT 4, ab.ope_accumulate(CASE WHEN i % 97 = 0 THEN NULL ELSE cos(i) END, 0.05 + (i % 19) / 20.0,
	                            (i % 7) / 7.0, sin(i * 3) + 1e6, cos(i * 5))
	FROM generate_series(1, 5000) i;
	-- extremes: weights near the overflow limit, subnormal and signed-zero rewards
	INSERT INTO data.states
	SELECT 5, ab.ope_accumulate(r, mu, pi, r, -r)
	FROM (VALUES (1e50::float8, 1e-100::float8, 1::float8), ('-0'::float8, 1::float8, 0::float8),
	             (5e-324::float8, 0.5::float8, 1::float8), (-1e-300::float8, 1::float8, 1e-300::float8)) v(r, mu, pi);
	-- a merge of many states
	INSERT INTO data.states
	SELECT 6, ab.ope_merge(s) FROM (
		SELECT ab.ope_accumulate((i % 3)::float8, 0.25, (i % 2)::float8) AS s
		FROM generate_series(1, 3000) i GROUP BY i % 10) x;
	-- hand-written: bigint extremes and an explicit [value, compensation] pair
	INSERT INTO data.states VALUES
		(7, '{"version":1,"kind":"basic","n":9223372036854775807,"n_skipped":0,"n_matched":0,"max_weight":0,"min_propensity":1,"sums":{}}'),
		(8, '{"version":1,"kind":"basic","n":0,"n_skipped":9223372036854775807,"n_matched":0,"max_weight":null,"min_propensity":null,"sums":{}}'),
		(9, '{"version":1,"kind":"dr","n":1,"n_skipped":0,"n_matched":1,"max_weight":2,"min_propensity":0.5,"sums":{"pi":1,"w":2,"w2":4,"v":[1,1e-17],"v2":1}}'),
		(10, NULL);
	INSERT INTO data.states (k) VALUES (11);    -- the column default
	-- the largest legal sum of squared weights: w^2 at 0.9 x 2^1020 once and
	-- eight small ones (a sum next to DBL_MAX would not print; see below)
	INSERT INTO data.states
	SELECT 12, ab.ope_accumulate(0, mu, 1)
	FROM (VALUES (1 / sqrt(0.9 * 2 ^ 1020))) one(mu0),
	     LATERAL (SELECT mu0 AS mu UNION ALL SELECT 1.01e-146 FROM generate_series(1, 8)) v;

	INSERT INTO data.models VALUES
		(1, '{"version":1,"dim":3,"arms":[]}'),
		(2, '{"version":1,"dim":1,"arms":[{"action":-9223372036854775808,"n":9223372036854775807,"weight":2.2471164185778946e307,"sum_wr":-1e-9,"sum_wr2":5e-324,"A":[[5e-324]],"b":[-0]},{"action":9223372036854775807,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
		(3, NULL);
	INSERT INTO data.models
	SELECT 4, ab.bandit_fit((i * 7919) % 30 - 15, ARRAY[1, sin(i), cos(i), sin(2 * i), cos(3 * i)],
	                        sin(i) * 1e-3 + 1e3, 0.5 + (i % 3))
	FROM generate_series(1, 3000) i;
	INSERT INTO data.models
	SELECT 5, ab.bandit_fit(i % 10, ARRAY(SELECT sin(i * j)::float8 FROM generate_series(1, 64) j), cos(i))
	FROM generate_series(1, 500) i;
	INSERT INTO data.models
	SELECT 6, ab.bandit_merge(m, (SELECT ab.bandit_fit(i % 40, ARRAY[1, i, -i, 1e-3 * i, 1e3], (-1) ^ i)
	                              FROM generate_series(1, 400) i))
	FROM data.models WHERE k = 4;

	CREATE VIEW data.estimates AS
	SELECT k, ab.ope_estimate(s, 'snips') AS snips, (ab.ope_diagnostics(s)).n FROM data.states;
	CREATE MATERIALIZED VIEW data.merged AS
	SELECT ab.ope_merge(s) FILTER (WHERE k IN (3, 6)) AS s, count(*) AS n FROM data.states;
	CREATE VIEW data.arms AS SELECT k, a.* FROM data.models, ab.bandit_arms(m) a;});

is($node->safe_psql('src', 'SELECT count(*) FROM data.states'), '12', 'twelve states');
# The rows of issue 12 (propensity 7.46e-155 once, 1.01e-146 eight times):
# w^2 next to DBL_MAX made a state that was stored but could not be printed,
# so pg_dump failed.  The row that would cross 2^1020 is refused instead.
my ($ret9, $out9, $err9) = $node->psql('src', q{
	SELECT ab.ope_accumulate(0, mu, 1)
	FROM (SELECT 7.46e-155::float8 AS mu UNION ALL SELECT 1.01e-146 FROM generate_series(1, 8)) v});
like($err9, qr/importance-weighted reward is out of range/, 'a row whose square would leave no margin is refused');
is($node->safe_psql('src', 'SELECT count(*) FROM data.models'), '6', 'six models');
is( $node->safe_psql(
		'src', q{SELECT string_agg(k || ':' || coalesce((ab.ope_diagnostics(s)).n::text, '-'), ' ' ORDER BY k)
		         FROM data.states}),
	'1:0 2:0 3:5000 4:4949 5:4 6:3000 7:9223372036854775807 8:0 9:1 10:- 11:- 12:9',
	'the states are what they should be (empty, full, skipped rows, extremes)');
like($node->safe_psql('src', q{SELECT s::text FROM data.states WHERE k = 3}),
	qr/\[[^\]]+,[^\]]+\]/, 'a state carries a [value, compensation] pair');
is($node->safe_psql('src', q{SELECT pg_column_size(m) > 100000 FROM data.models WHERE k = 5}),
	't', 'the 64-dimensional model is big enough to be TOASTed');

# Every value of both tables, as text and as send bytes (md5 of each), plus
# the views that call the extension.
my $fingerprint_sql = q{
	SELECT string_agg(k || ':' || coalesce(md5(s::text) || '/' || md5(ab.ope_state_send(s)), 'NULL'), ' ' ORDER BY k)
	FROM data.states
	UNION ALL
	SELECT string_agg(k || ':' || coalesce(md5(m::text) || '/' || md5(ab.banditmodel_send(m)), 'NULL'), ' ' ORDER BY k)
	FROM data.models
	UNION ALL
	SELECT string_agg(k || ':' || coalesce(snips::text, '-') || ':' || coalesce(n::text, '-'), ' ' ORDER BY k)
	FROM data.estimates
	UNION ALL
	SELECT n || ':' || md5(s::text) FROM data.merged
	UNION ALL
	SELECT count(*) || ':' || sum(n) FROM data.arms};
my $reference = $node->safe_psql('src', $fingerprint_sql);
note($reference);

sub check_copy
{
	my ($db, $how) = @_;
	is($node->safe_psql($db, $fingerprint_sql), $reference,
		"$how: every state and model is identical as text and as send bytes, views agree");
	is( $node->safe_psql(
			$db, q{SELECT string_agg(k || '=' || (s::text::ab.ope_state::text = s::text), ',' ORDER BY k)
			       FROM data.states WHERE s IS NOT NULL
			       UNION ALL
			       SELECT string_agg(k || '=' || (m::text::ab.banditmodel::text = m::text), ',' ORDER BY k)
			       FROM data.models WHERE m IS NOT NULL}),
		"1=true,2=true,3=true,4=true,5=true,6=true,7=true,8=true,9=true,12=true\n1=true,2=true,4=true,5=true,6=true",
		"$how: every restored value reads back from its own text");
	my ($ret, $out, $err) = $node->psql($db, q{INSERT INTO data.states VALUES (100,
		'{"version":1,"kind":"basic","n":-1,"n_skipped":0,"n_matched":0,"max_weight":1,"min_propensity":1,"sums":{}}')});
	like($err, qr/ERROR:.*\bn\b.*-1|ERROR:.*negative/, "$how: the type's input validation is in place");
	($ret, $out, $err) = $node->psql($db, q{REFRESH MATERIALIZED VIEW data.merged});
	is($ret, 0, "$how: the materialized view refreshes") or diag($err);
	return;
}

my $dir = $node->basedir;
my @connect = ('-h', $node->host, '-p', $node->port);

# pg_dump custom format, pg_restore into a new database.
$node->command_ok([ 'pg_dump', @connect, '-Fc', '-f', "$dir/src.dump", 'src' ], 'pg_dump -Fc');
$node->safe_psql('postgres', 'CREATE DATABASE dst_custom');
$node->command_ok([ 'pg_restore', @connect, '--exit-on-error', '-d', 'dst_custom', "$dir/src.dump" ],
	'pg_restore of the custom dump');
check_copy('dst_custom', 'custom format');

# Directory format, restored with two parallel jobs.
$node->command_ok([ 'pg_dump', @connect, '-Fd', '-j', '2', '-f', "$dir/src.dir", 'src' ], 'pg_dump -Fd -j 2');
$node->safe_psql('postgres', 'CREATE DATABASE dst_dir');
$node->command_ok([ 'pg_restore', @connect, '--exit-on-error', '-j', '2', '-d', 'dst_dir', "$dir/src.dir" ],
	'parallel pg_restore of the directory dump');
check_copy('dst_dir', 'directory format, parallel');

# Plain SQL through psql, with COPY and with INSERT statements.
for my $variant ([ 'plain', [] ], [ 'inserts', ['--inserts'] ])
{
	my ($name, $extra) = @$variant;
	$node->command_ok([ 'pg_dump', @connect, '-Fp', @$extra, '-f', "$dir/src_$name.sql", 'src' ],
		"pg_dump -Fp @$extra");
	my $sql = slurp_file("$dir/src_$name.sql");
	like($sql, qr/CREATE EXTENSION IF NOT EXISTS artbandit WITH SCHEMA ab;/,
		"$name dump: the extension is created, not its members");
	unlike($sql, qr/CREATE (TYPE|FUNCTION|AGGREGATE) ab\./,
		"$name dump: no member of the extension is dumped");
	like($sql, $name eq 'inserts' ? qr/INSERT INTO data\.states VALUES \(1, '\{/ : qr/COPY data\.states /,
		"$name dump: the data goes through " . ($name eq 'inserts' ? 'INSERT literals' : 'COPY'));
	$node->safe_psql('postgres', "CREATE DATABASE dst_$name");
	my ($ret, $out, $err) = $node->psql("dst_$name", '',
		extra_params => [ '-f', "$dir/src_$name.sql" ], on_error_stop => 1);
	is($ret, 0, "$name dump restores through psql without errors") or diag($err);
	check_copy("dst_$name", "plain SQL ($name)");
}

# Binary COPY, out of the source and into a restored schema-only copy.
$node->command_ok([ 'pg_dump', @connect, '-s', '-f', "$dir/schema.sql", 'src' ], 'pg_dump --schema-only');
$node->safe_psql('postgres', 'CREATE DATABASE dst_binary');
$node->psql('dst_binary', '', extra_params => [ '-f', "$dir/schema.sql" ], on_error_stop => 1);
for my $t (qw(states models))
{
	$node->safe_psql('src', "COPY data.$t TO '$dir/$t.bin' (FORMAT binary)");
	$node->safe_psql('dst_binary', "COPY data.$t FROM '$dir/$t.bin' (FORMAT binary)");
}
$node->safe_psql('dst_binary', 'REFRESH MATERIALIZED VIEW data.merged');
check_copy('dst_binary', 'binary COPY');

# Logical replication with binary = true: the initial table copy is text,
# rows written afterwards travel through send/receive.
my $sub = PostgreSQL::Test::Cluster->new('dump_restore_sub');
$sub->init;
$sub->append_conf('postgresql.conf', "fsync = off\n");
$sub->start;
$sub->safe_psql('postgres', 'CREATE DATABASE dst_logical');
$sub->psql('dst_logical', '', extra_params => [ '-f', "$dir/schema.sql" ], on_error_stop => 1);
$node->safe_psql('src', 'CREATE PUBLICATION everything FOR TABLE data.states, data.models');
my $pubconn = $node->connstr() . ' dbname=src';
$sub->safe_psql('dst_logical',
	"CREATE SUBSCRIPTION everything CONNECTION '$pubconn' PUBLICATION everything WITH (binary = true)");
$node->wait_for_catchup('everything');
$sub->poll_query_until('dst_logical',
	q{SELECT count(*) = 0 FROM pg_subscription_rel WHERE srsubstate NOT IN ('r', 's')})
  or die 'initial sync did not finish';
# New rows, and updates of existing ones, replicate in binary.
$node->safe_psql(
	'src', q{
	INSERT INTO data.states SELECT k + 1000, s FROM data.states WHERE k < 100;
	INSERT INTO data.models SELECT k + 1000, m FROM data.models;
	UPDATE data.models SET m = ab.bandit_update(m, 7, ARRAY[1, 0.5, 0.25, 0.125, 0.0625], 1e-3) WHERE k = 4;});
$node->wait_for_catchup('everything');
my $all_sql = q{
	SELECT string_agg(k || ':' || coalesce(md5(s::text) || '/' || md5(ab.ope_state_send(s)), 'NULL'), ' ' ORDER BY k)
	FROM data.states
	UNION ALL
	SELECT string_agg(k || ':' || coalesce(md5(m::text) || '/' || md5(ab.banditmodel_send(m)), 'NULL'), ' ' ORDER BY k)
	FROM data.models};
my $published = $node->safe_psql('src', $all_sql);
is($sub->safe_psql('dst_logical', $all_sql), $published,
	'logical replication (binary = true): every value identical, initial copy and later changes');
is($sub->safe_psql('dst_logical', 'SELECT count(*) FROM data.states WHERE k > 1000'),
	'12', 'logical replication: the later inserts arrived');
$sub->safe_psql('dst_logical', 'DROP SUBSCRIPTION everything');
$sub->stop;

$node->stop;
done_testing();
