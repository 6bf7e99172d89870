# Many nodes: three PostgreSQL instances on loopback -- two shards holding
# disjoint parts of an exploration log and a coordinator that reaches them
# through postgres_fdw.  Each shard computes its own ope_state and
# banditmodel values (the aggregates are pushed down: EXPLAIN VERBOSE shows
# them in the remote SQL), the values travel to the coordinator in their text
# form, and ope_merge / bandit_merge there give the single-node answer: every
# estimate, standard error, interval and diagnostic, every arm statistic,
# prediction and LinUCB score agrees to 1e-12 relative with the same
# aggregates over the coordinator's full copy of the log, in either merge
# order.  The shards also keep daily states and per-show models in tables of
# their own, which the coordinator reads as foreign tables (columns of the
# extension's types) and merges into a date range.
#
# The shards listen on 127.0.0.1 (TCP, as real nodes would), next to the
# private unix socket the test harness itself uses.  TCP connections need a
# password (scram-sha-256) and reach an unprivileged role that may only read
# the shard's tables and insert into its log, so the shards are not open to
# other local users while the test runs.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use SimulationNode qw(policy_models_sql);
use Test::More;

my $coord = PostgreSQL::Test::Cluster->new('coordinator');
my $sharedir = $coord->config_data('--sharedir');
plan skip_all => 'artbandit is not installed'
  unless -f "$sharedir/extension/artbandit.control";
plan skip_all => 'postgres_fdw (contrib) is not installed'
  unless -f "$sharedir/extension/postgres_fdw.control";

my $tol = 1e-12;

# --- two shards on 127.0.0.1 ---------------------------------------------------
my $password = join '', map { sprintf '%02x', int(rand(256)) } 1 .. 16;
my %shard;
foreach my $name (qw(shard1 shard2))
{
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf',
		"listen_addresses = '127.0.0.1'\nfsync = off\n");
	# Local (unix socket, in a directory only we can enter): trust, for the
	# harness.  Loopback TCP: password only.
	open my $hba, '>', $node->data_dir . '/pg_hba.conf'
	  or die "cannot write pg_hba.conf: $!";
	print $hba "local all all trust\n";
	print $hba "host all all 127.0.0.1/32 scram-sha-256\n";
	close $hba;
	$node->start;
	{
		# keep the password out of the server log
		local $ENV{PGOPTIONS} = '-c log_statement=none';
		$node->safe_psql('postgres',
			"CREATE ROLE coordinator LOGIN PASSWORD '$password'");
	}
	$node->safe_psql(
		'postgres', q{
		CREATE EXTENSION artbandit;
		CREATE TABLE log (
			id int8 PRIMARY KEY, day int4, show_id int4, image_id int8, context float8[],
			r float8, minutes float8, mu float8, pi float8, pi_greedy float8, q float8, v float8);
		GRANT SELECT, INSERT ON log TO coordinator;
		-- who a remote session is, and where it comes from
		CREATE VIEW whoami AS
		SELECT current_user::text AS usr, host(inet_client_addr()) AS addr,
		       inet_server_port() AS port;
		GRANT SELECT ON whoami TO coordinator;});
	$shard{$name} = $node;
}

# --- the coordinator -------------------------------------------------------------
$coord->init;
$coord->append_conf('postgresql.conf', "fsync = off\n");
$coord->start;
$coord->safe_psql('postgres',
	'CREATE EXTENSION artbandit; CREATE EXTENSION postgres_fdw;');
foreach my $name (sort keys %shard)
{
	my $port = $shard{$name}->port;
	local $ENV{PGOPTIONS} = '-c log_statement=none';
	$coord->safe_psql(
		'postgres', qq{
		-- extensions: the server may ship artbandit's functions, aggregates
		-- and operators to the shard (aggregate pushdown)
		CREATE SERVER $name FOREIGN DATA WRAPPER postgres_fdw
			OPTIONS (host '127.0.0.1', port '$port', dbname 'postgres',
			         extensions 'artbandit', fetch_size '10000', batch_size '1000');
		CREATE USER MAPPING FOR CURRENT_USER SERVER $name
			OPTIONS (user 'coordinator', password '$password');
		CREATE SCHEMA $name;
		IMPORT FOREIGN SCHEMA public LIMIT TO (log, whoami) FROM SERVER $name INTO $name;});
	is( $coord->safe_psql('postgres', "SELECT usr, addr, port FROM $name.whoami"),
		"coordinator|127.0.0.1|$port",
		"the coordinator reaches $name over loopback TCP as an unprivileged role");
}

# --- the log ---------------------------------------------------------------------
# A log of 60,000 impressions of 10 shows (4 images each, 8-dimensional
# contexts) logged by a softmax policy (so propensities vary), a softmax
# target policy (pi) and a greedy one (pi_greedy: 0 or 1, replay matches),
# with a reward model's q and v; q is NULL on every 997th row (skipped rows).
# The coordinator keeps the full log as the single-node reference and
# spreads it over the shards (unevenly: about 1/3 and 2/3) through
# postgres_fdw.
$coord->safe_psql('postgres', policy_models_sql());
$coord->safe_psql(
	'postgres', q{
	CREATE TABLE log AS
	SELECT l.impression_id AS id, l.day, l.show_id, l.image_id, l.context,
	       l.played::int::float8 AS r, l.minutes, l.propensity AS mu,
	       p[array_position(l.candidates, l.image_id)] AS pi,
	       g[array_position(l.candidates, l.image_id)] AS pi_greedy,
	       CASE WHEN l.impression_id % 997 = 0 THEN NULL
	            ELSE q[array_position(l.candidates, l.image_id)] END AS q,
	       policy_value(p, q) AS v
	FROM simulate_impressions(60000, 10, 4, 8, 42, 'softmax(temperature=0.3)',
	                          (SELECT model FROM logging_model)) l
	     JOIN target_model m USING (show_id),
	     LATERAL (SELECT bandit_probabilities(m.model, l.context, l.candidates, 'softmax(temperature=0.2)') AS p,
	                     bandit_probabilities(m.model, l.context, l.candidates, 'greedy') AS g,
	                     bandit_scores(m.model, l.context, l.candidates) AS q OFFSET 0) x;
	INSERT INTO shard1.log SELECT * FROM log WHERE hashint8(id) % 3 = 0;
	INSERT INTO shard2.log SELECT * FROM log WHERE hashint8(id) % 3 <> 0;
	ANALYZE log, shard1.log, shard2.log;});

my ($n1, $n2, $n) = split /\|/,
  $coord->safe_psql('postgres',
	'SELECT (SELECT count(*) FROM shard1.log), (SELECT count(*) FROM shard2.log), (SELECT count(*) FROM log)');
is($n, 60000, 'the coordinator holds the full log');
ok($n1 > 10000 && $n2 > 10000 && $n1 != $n2, "both shards hold rows, unevenly ($n1 and $n2)");
is($n1 + $n2, $n, 'the shards hold the whole log between them');
is( $coord->safe_psql(
		'postgres', q{
		SELECT count(DISTINCT id), count(*) FILTER (WHERE id NOT IN (SELECT id FROM log))
		FROM (SELECT id FROM shard1.log UNION ALL SELECT id FROM shard2.log) s}),
	'60000|0', 'every row of the log is on exactly one shard');
is($shard{shard1}->safe_psql('postgres', 'SELECT count(*) FROM log'),
	$n1, 'shard1 itself holds its rows');

# Daily OPE states and per-show models computed and stored on each shard.
foreach my $name (sort keys %shard)
{
	$shard{$name}->safe_psql(
		'postgres', q{
		CREATE TABLE daily_ope AS
		SELECT day, ope_accumulate(r, mu, pi, q, v) AS state FROM log GROUP BY day;
		CREATE TABLE show_model AS
		SELECT show_id, bandit_fit(image_id, context, minutes, 1 / mu) AS model
		FROM log GROUP BY show_id;
		GRANT SELECT ON daily_ope, show_model TO coordinator;});
	$coord->safe_psql('postgres',
		"IMPORT FOREIGN SCHEMA public LIMIT TO (daily_ope, show_model) FROM SERVER $name INTO $name");
}
is( $coord->safe_psql(
		'postgres', q{
		SELECT format_type(atttypid, atttypmod) FROM pg_attribute
		WHERE attrelid IN ('shard1.daily_ope'::regclass, 'shard1.show_model'::regclass) AND attnum = 2
		ORDER BY 1}),
	"banditmodel\nope_state",
	'the stored states and models are foreign columns of the extension types');

# --- the shards compute, the coordinator merges ------------------------------------
my $aggregates = q{
	ope_accumulate(r, mu, pi, q, v) AS dr,
	ope_accumulate(r, mu, pi_greedy) AS basic,
	bandit_fit(image_id, context, r) AS model,
	bandit_fit(image_id, context, minutes, 1 / mu) AS wmodel,
	count(*) AS n};
my $per_shard = qq{
	SELECT 1 AS shard, * FROM (SELECT $aggregates FROM shard1.log) s1
	UNION ALL
	SELECT 2, * FROM (SELECT $aggregates FROM shard2.log) s2};

my $plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $per_shard");
note($plan);
my $remote_aggs =
  qr/SELECT public\.ope_accumulate\(r, mu, pi, q, v\), public\.ope_accumulate\(r, mu, pi_greedy\), public\.bandit_fit\(image_id, context, r\), public\.bandit_fit\(image_id, context, minutes, \(1::double precision \/ mu\)\), count\(\*\) FROM public\.log/;
foreach my $name (qw(shard1 shard2))
{
	like($plan, qr/Relations: Aggregate on \($name\.log(?: \w+)?\)\n\s*Remote SQL: $remote_aggs/,
		"$name computes the ope_state and banditmodel aggregates itself (remote SQL)");
}
unlike($plan, qr/^\s*(->\s*)?(Partial |Finalize )?(Group|Hash|Mixed)?Aggregate/m,
	'no aggregation of shard rows on the coordinator');

my $grouped = q{
	SELECT show_id, bandit_merge(m) FROM (
		SELECT show_id, bandit_fit(image_id, context, r) AS m FROM shard1.log GROUP BY show_id
		UNION ALL
		SELECT show_id, bandit_fit(image_id, context, r) FROM shard2.log GROUP BY show_id) x
	GROUP BY show_id};
$plan = $coord->safe_psql('postgres', "EXPLAIN (VERBOSE, COSTS OFF) $grouped");
note($plan);
is( scalar(() = $plan =~ /Remote SQL: SELECT show_id, public\.bandit_fit\(image_id, context, r\) FROM public\.log GROUP BY 1/g),
	2, 'per-show models: GROUP BY bandit_fit runs on both shards');

$coord->safe_psql(
	'postgres', qq{
	CREATE TABLE shard_state AS $per_shard;
	CREATE TABLE single AS SELECT $aggregates FROM log;
	-- the merged answers: by the aggregate in both orders, and by the
	-- two-argument functions in both orders
	CREATE TABLE merged AS
	SELECT 'aggregate 1,2' AS how, ope_merge(dr ORDER BY shard) AS dr, ope_merge(basic ORDER BY shard) AS basic,
	       bandit_merge(model ORDER BY shard) AS model, bandit_merge(wmodel ORDER BY shard) AS wmodel, sum(n) AS n
	FROM shard_state
	UNION ALL
	SELECT 'aggregate 2,1', ope_merge(dr ORDER BY shard DESC), ope_merge(basic ORDER BY shard DESC),
	       bandit_merge(model ORDER BY shard DESC), bandit_merge(wmodel ORDER BY shard DESC), sum(n)
	FROM shard_state
	UNION ALL
	SELECT 'function ' || a.shard || ',' || b.shard, ope_merge(a.dr, b.dr), ope_merge(a.basic, b.basic),
	       bandit_merge(a.model, b.model), bandit_merge(a.wmodel, b.wmodel), a.n + b.n
	FROM shard_state a JOIN shard_state b ON a.shard <> b.shard;

	-- every number a state or a model answers, labelled
	CREATE FUNCTION ope_values(s ope_state) RETURNS TABLE (label text, value float8)
	LANGUAGE sql STABLE AS \$\$
		SELECT r.estimator || '.' || f.name, f.value
		FROM ope_report(s) r,
		     LATERAL (VALUES ('estimate', r.estimate), ('std_error', r.std_error),
		                     ('ci_lower', r.ci_lower), ('ci_upper', r.ci_upper),
		                     ('ope_estimate', ope_estimate(s, r.estimator))) f(name, value)
		UNION ALL
		SELECT r.estimator || '.ci99_lower', r.ci_lower FROM ope_report(s, 0.99) r
		UNION ALL
		SELECT 'diagnostics.' || f.name, f.value
		FROM ope_diagnostics(s) d,
		     LATERAL (VALUES ('n', d.n::float8), ('n_skipped', d.n_skipped::float8),
		                     ('n_matched', d.n_matched::float8), ('match_rate', d.match_rate),
		                     ('ess', d.ess), ('max_weight', d.max_weight),
		                     ('mean_weight', d.mean_weight), ('min_propensity', d.min_propensity)) f(name, value)
	\$\$;
	-- probe contexts: 60 logged ones
	CREATE TABLE probe AS
	SELECT row_number() OVER (ORDER BY id) AS pid, context FROM log WHERE id % 1000 = 7;
	CREATE FUNCTION model_values(m banditmodel) RETURNS TABLE (label text, value float8)
	LANGUAGE sql STABLE AS \$\$
		SELECT 'arm ' || a.action || '.' || f.name, f.value
		FROM bandit_arms(m) a,
		     LATERAL (VALUES ('n', a.n::float8), ('weight', a.weight), ('mean_reward', a.mean_reward)) f(name, value)
		UNION ALL
		SELECT 'predict ' || p.pid || ' ' || a.action, bandit_predict(m, p.context, a.action)
		FROM probe p, bandit_arms(m) a
		UNION ALL
		SELECT 'linucb ' || p.pid || ' ' || s.i, s.v
		FROM probe p, unnest(bandit_scores(m, p.context, NULL, 'linucb(alpha=1)')) WITH ORDINALITY s(v, i)
	\$\$;
	-- a value that disagrees beyond the tolerance, or a label on one side only
	CREATE FUNCTION mismatch(ref_label text, got_label text, ref_value float8, got_value float8)
	RETURNS bool LANGUAGE sql IMMUTABLE AS \$\$
		SELECT ref_label IS DISTINCT FROM got_label
		    OR NOT (ref_value IS NOT DISTINCT FROM got_value
		            OR abs(ref_value - got_value) <= $tol * greatest(abs(ref_value), abs(got_value)))
	\$\$;});

is( $coord->safe_psql('postgres',
		'SELECT string_agg(DISTINCT (sum_n = (SELECT n FROM single))::text, \',\') FROM (SELECT n AS sum_n FROM merged) m'),
	'true', 'the per-shard row counts add up to the single-node count');
is( $coord->safe_psql(
		'postgres', q{
		SELECT string_agg(DISTINCT ((ope_diagnostics(s.dr)).n + (ope_diagnostics(s.dr)).n_skipped = s.n)::text, ',')
		FROM shard_state s}),
	'true', 'each shard state counts every row of its shard');

# check(what, rows SQL): the rows SQL gives (how, label, ref_label,
# got_label, ref_value, got_value); every value must agree to $tol relative
# and every label be on both sides.  One test per call, the first 20
# disagreements listed; returns the number of values compared.
sub check
{
	my ($what, $rows) = @_;
	my ($compared, $bad, $worst, $list) = split /\|/, $coord->safe_psql(
		'postgres', qq{
		SELECT count(*), count(*) FILTER (WHERE bad),
		       to_char(coalesce(max(abs(rv - gv) / nullif(greatest(abs(rv), abs(gv)), 0)), 0), '9.9EEEE'),
		       coalesce(array_to_string((array_agg(format('%s / %s: %s vs %s', how, label, rv, gv)
		                                           ORDER BY how, label) FILTER (WHERE bad))[1:20], '; '), '')
		FROM (SELECT how, label, rv, gv, mismatch(rl, gl, rv, gv) AS bad
		      FROM ($rows) x(how, label, rl, gl, rv, gv)) c}), 4;
	is($bad, 0, "$what: $compared values agree to $tol relative (worst$worst)")
	  or diag($list);
	return $compared;
}

# compare(what, pairs SQL, values function): the pairs SQL gives (how, ref,
# got), two states or two models; compares everything the values function
# reads from them.
sub compare
{
	my ($what, $pairs, $fn) = @_;
	return check(
		$what, qq{
		SELECT p.how, v.* FROM ($pairs) p(how, ref, got),
		LATERAL (SELECT coalesce(r.label, g.label), r.label, g.label, r.value, g.value
		         FROM $fn(p.ref) r FULL JOIN $fn(p.got) g ON r.label = g.label) v});
}

# OPE sums are compensated, so merged states agree with the single-node one
# far below the tolerance.  Model sums are plain float8 sums: a merged model
# differs from the single-node one by rounding only (here at worst about
# 4e-13 relative, on a prediction close to zero).
my $pairs = q{SELECT m.how, s.%1$s AS ref, m.%1$s AS got FROM single s, merged m};
cmp_ok(compare('DR state (5 inputs)', sprintf($pairs, 'dr'), 'ope_values'),
	'==', 4 * (6 * 6 + 8), 'every estimator and diagnostic compared (DR state, 4 merges)');
cmp_ok(compare('basic state (3 inputs)', sprintf($pairs, 'basic'), 'ope_values'),
	'==', 4 * (3 * 6 + 8), 'every estimator and diagnostic compared (basic state, 4 merges)');
cmp_ok(compare('model', sprintf($pairs, 'model'), 'model_values'),
	'>', 4 * 40 * 60, 'arms, predictions and LinUCB scores compared (model, 4 merges)');
cmp_ok(compare('weighted model', sprintf($pairs, 'wmodel'), 'model_values'),
	'>', 4 * 40 * 60, 'arms, predictions and LinUCB scores compared (weighted model, 4 merges)');

# The stand-alone estimator aggregates over the full log give the merged
# answer too.
is( check(
		'stand-alone estimators', q{
		SELECT m.how, e.name, e.name, e.name, e.ref, e.got FROM merged m, LATERAL (VALUES
			('ips_estimate', (SELECT ips_estimate(r, mu, pi_greedy) FROM log), ope_estimate(m.basic, 'ips')),
			('snips_estimate', (SELECT snips_estimate(r, mu, pi_greedy) FROM log), ope_estimate(m.basic, 'snips')),
			('dr_estimate', (SELECT dr_estimate(r, mu, pi, q, v) FROM log), ope_estimate(m.dr, 'dr')),
			('sndr_estimate', (SELECT sndr_estimate(r, mu, pi, q, v) FROM log), ope_estimate(m.dr, 'sndr'))
			) e(name, ref, got)}),
	16, 'four stand-alone estimators, four merges');

# Per-show models fitted on the shards (GROUP BY pushed down), merged per show.
compare(
	'per-show models (GROUP BY on the shards)',
	qq{SELECT 'show ' || show_id, s.model, g.model
	   FROM ($grouped) g(show_id, model)
	   FULL JOIN (SELECT show_id, bandit_fit(image_id, context, r) AS model FROM log GROUP BY show_id) s
	   USING (show_id)},
	'model_values');

# Stored on the shards: daily states merged into date ranges, per-show
# weighted models merged per show.
my $daily = q{(SELECT * FROM shard1.daily_ope UNION ALL SELECT * FROM shard2.daily_ope)};
compare(
	'daily states stored on the shards', qq{
	SELECT 'days 11-20', (SELECT ope_accumulate(r, mu, pi, q, v) FROM log WHERE day BETWEEN 11 AND 20),
	       (SELECT ope_merge(state) FROM $daily d WHERE day BETWEEN 11 AND 20)
	UNION ALL
	SELECT 'day 30', (SELECT ope_accumulate(r, mu, pi, q, v) FROM log WHERE day = 30),
	       (SELECT ope_merge(state) FROM $daily d WHERE day = 30)
	UNION ALL
	SELECT 'every day', (SELECT dr FROM single), (SELECT ope_merge(state) FROM $daily d)},
	'ope_values');
is($coord->safe_psql('postgres', "SELECT count(*), count(DISTINCT day) FROM $daily d"),
	'60|30', 'each shard stores one state per day');
compare(
	'per-show models stored on the shards', q{
	SELECT 'show ' || show_id, s.model, g.model
	FROM (SELECT show_id, bandit_merge(model) AS model
	      FROM (SELECT * FROM shard1.show_model UNION ALL SELECT * FROM shard2.show_model) x
	      GROUP BY show_id) g
	FULL JOIN (SELECT show_id, bandit_fit(image_id, context, minutes, 1 / mu) AS model FROM log GROUP BY show_id) s
	USING (show_id)},
	'model_values');

$coord->stop;
$shard{$_}->stop foreach sort keys %shard;
done_testing();
