# Concurrent online updates lose nothing.
#
# Four psql sessions, released together, each apply 200 single-row updates
# in autocommit to the same stored model (bandit_update) and the same stored
# state (ope_merge with a one-row ope_accumulate).  Row locking serialises
# them (READ COMMITTED re-evaluates the UPDATE on the newest row version),
# so the final model has n = 800 and the sums of a single-session refit of
# the same 800 rows (to 1e-12; only the order of the additions differs), and
# the final state equals the single-pass ope_accumulate.  A trace of which
# session wrote each version shows that the sessions did interleave.
#
# Then isolationtester (shipped by postgresql-server-dev-15 under pgxs) runs
# test/t/data/140_concurrent_updates.spec: a blocked update applies on top of
# the committed one, REPEATABLE READ gets a serialization failure instead of
# a lost update, and an aborted update leaves no trace.  The output must
# equal test/t/data/140_concurrent_updates.out.
use strict;
use warnings;

use File::Basename qw(dirname);
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $WORKERS = 4;
my $UPDATES = 200;

my $node = PostgreSQL::Test::Cluster->new('concurrent_updates');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\nmax_connections = 30\n");
$node->start;
$node->safe_psql(
	'postgres', qq{
	CREATE EXTENSION artbandit;
	-- the rows each session applies: session w, step j
	CREATE TABLE inputs AS
	SELECT w, j, ((w * 7 + j) % 5)::int8 AS action,
	       ARRAY[1, sin(w * 1000 + j), cos(w * 1000 + j)]::float8[] AS ctx,
	       ((w * 1000 + j) % 11) / 3.0::float8 AS reward,
	       (0.5 + (j % 3))::float8 AS weight,
	       0.1 + ((w + j) % 9) / 10.0::float8 AS mu,
	       ((w * j) % 5) / 4.0::float8 AS pi
	FROM generate_series(1, $WORKERS) w, generate_series(1, $UPDATES) j;
	CREATE UNIQUE INDEX ON inputs (w, j);
	CREATE TABLE models (id int PRIMARY KEY, model banditmodel, trace int[] DEFAULT '{}');
	INSERT INTO models (id, model) VALUES (1, NULL);
	CREATE TABLE states (id int PRIMARY KEY, state ope_state, trace int[] DEFAULT '{}');
	INSERT INTO states (id, state) VALUES (1, NULL);});

# One script per session: wait for the start signal (a shared advisory lock
# the test holds exclusively), then 2 x 200 autocommit updates.
my $dir = $node->basedir;
my @scripts;
for my $w (1 .. $WORKERS)
{
	my $sql = "\\set ON_ERROR_STOP 1\nSELECT pg_advisory_lock_shared(140);\nSELECT pg_advisory_unlock_shared(140);\n";
	for my $j (1 .. $UPDATES)
	{
		$sql .= "UPDATE models SET model = bandit_update(model, i.action, i.ctx, i.reward, i.weight), "
		  . "trace = trace || $w FROM inputs i WHERE id = 1 AND i.w = $w AND i.j = $j;\n";
		$sql .= "UPDATE states SET state = ope_merge(state, (SELECT ope_accumulate(i.reward, i.mu, i.pi, "
		  . "i.reward / 2, 0.25::float8) FROM inputs i WHERE i.w = $w AND i.j = $j)), trace = trace || $w "
		  . "WHERE id = 1;\n";
	}
	my $file = "$dir/worker_$w.sql";
	open(my $fh, '>', $file) or die $!;
	print $fh $sql;
	close $fh;
	push @scripts, $file;
}

my $gate = $node->background_psql('postgres');
$gate->query_safe('SELECT pg_advisory_lock(140)');
my @workers;
for my $file (@scripts)
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-f', $file ],
		'>', \$out, '2>', \$err);
	push @workers, [ $h, \$out, \$err ];
}
$node->poll_query_until('postgres',
	qq{SELECT count(*) = $WORKERS FROM pg_locks WHERE locktype = 'advisory' AND NOT granted})
  or die 'the sessions never reached the start line';
$gate->query_safe('SELECT pg_advisory_unlock(140)');
my $failed = 0;
for my $w (@workers)
{
	my ($h, $out, $err) = @$w;
	$h->finish;
	$failed++ if $h->result != 0 || $$err ne '';
	diag($$err) if $$err ne '';
}
$gate->quit;
is($failed, 0, "$WORKERS sessions x $UPDATES updates x 2 tables ran without errors");

my $total = $WORKERS * $UPDATES;
is($node->safe_psql('postgres', 'SELECT cardinality(trace) FROM models'),
	$total, "the model row was written $total times");
my $switches = $node->safe_psql('postgres',
	q{SELECT count(*) FROM models, generate_subscripts(trace, 1) i WHERE i > 1 AND trace[i] <> trace[i - 1]});
cmp_ok($switches, '>=', 10, "the sessions interleaved ($switches changes of writer)");

is( $node->safe_psql(
		'postgres', 'SELECT sum(n) || \' \' || count(*) FROM models, bandit_arms(model)'),
	"$total 5", "no update is lost: the model counts $total rows in 5 arms");

# Element by element against a refit of the same rows in one session:
# n exactly, every float sum to 1e-12 of its magnitude.
my $compare = q{
	WITH ref AS (SELECT bandit_fit(action, ctx, reward, weight) AS m FROM inputs),
	got AS (SELECT model AS m FROM models),
	flat AS (
		SELECT which, (arm ->> 'action')::int8 AS action, key, ord, v::text::float8 AS v
		FROM (SELECT 'ref' AS which, m::text::json AS j FROM ref
		      UNION ALL SELECT 'got', m::text::json FROM got) x,
		     json_array_elements(j -> 'arms') arm,
		     LATERAL (SELECT 'n' AS key, 0::bigint AS ord, arm -> 'n' AS v
		              UNION ALL SELECT 'weight', 0, arm -> 'weight'
		              UNION ALL SELECT 'sum_wr', 0, arm -> 'sum_wr'
		              UNION ALL SELECT 'sum_wr2', 0, arm -> 'sum_wr2'
		              UNION ALL SELECT 'b', o, e FROM json_array_elements(arm -> 'b') WITH ORDINALITY b(e, o)
		              UNION ALL SELECT 'A', 1000 * r + c, e
		                FROM json_array_elements(arm -> 'A') WITH ORDINALITY ra(rw, r),
		                     json_array_elements(rw) WITH ORDINALITY ca(e, c)) f)
	SELECT count(*) || ' values, ' || count(*) FILTER (WHERE g.v IS NULL OR r.v IS NULL
	           OR abs(g.v - r.v) > 1e-12 * greatest(abs(r.v), 1)
	           OR (r.key = 'n' AND g.v <> r.v)) || ' differ'
	FROM (SELECT * FROM flat WHERE which = 'ref') r
	FULL JOIN (SELECT * FROM flat WHERE which = 'got') g USING (action, key, ord)};
# 5 arms x (4 scalars + 3 b + 9 A)
is($node->safe_psql('postgres', $compare), '80 values, 0 differ',
	'the updated model equals a single-session refit of the same rows (to 1e-12)');

is($node->safe_psql('postgres', 'SELECT cardinality(trace) FROM states'),
	$total, "the state row was written $total times");
is( $node->safe_psql(
		'postgres', q{
		WITH ref AS (SELECT ope_accumulate(reward, mu, pi, reward / 2, 0.25::float8) AS s FROM inputs)
		SELECT (SELECT n || ' ' || n_matched FROM states, ope_diagnostics(state)) || ' ' || count(*) || ' '
		       || bool_and(abs(r.estimate - g.estimate) <= 1e-12 * greatest(abs(r.estimate), 1)
		                   AND abs(r.std_error - g.std_error) <= 1e-12 * greatest(abs(r.std_error), 1))
		FROM ref, states, ope_report(ref.s) r JOIN ope_report(states.state) g USING (estimator)}),
	"$total " . $node->safe_psql('postgres', 'SELECT count(*) FILTER (WHERE pi > 0) FROM inputs') . ' 6 true',
	'the merged state equals the single-pass ope_accumulate (n, matches, every estimate and standard error)');

# --- isolationtester ------------------------------------------------------

my $pgxs = $node->config_data('--pgxs');
my $tester = dirname($pgxs) . '/../../src/test/isolation/isolationtester';
my $spec = dirname(__FILE__) . '/data/140_concurrent_updates.spec';
my $expected = dirname(__FILE__) . '/data/140_concurrent_updates.out';
SKIP:
{
	skip "isolationtester not installed ($tester)", 1 unless -x $tester;
	my ($out, $err) = ('', '');
	IPC::Run::run([ $tester, $node->connstr('postgres') ], '<', $spec, '>', \$out, '2>', \$err);
	my $want = slurp_file($expected);
	is($out, $want, 'isolation spec: output as expected')
	  or diag("stderr:\n$err\n--- got ---\n$out");
}

$node->stop;
done_testing();
