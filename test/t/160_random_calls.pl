# Random calls of every artbandit function and aggregate (issue: "your own
# random-call generator for our functions (sqlsmith seldom reaches them): 0
# crashed backends").
#
# The functions are read from the catalog (pg_proc via pg_depend on the
# extension), so a function added later is covered without touching this
# file.  For each one the generator draws many calls (fixed seed) whose
# arguments come from a pool per type: NULL, 0, -0, +-1, huge, tiny,
# subnormal, NaN, +-Infinity; empty, two-dimensional, NULL-holding,
# lower-bound-not-1 and long (2000-element) arrays; fitted ope_state and
# banditmodel values (small and extreme ones, stored in tables and as
# literals) and randomly mutated text forms of them; valid and garbage
# policy strings; random int8 action ids.  Arguments are drawn coherently
# most of the time (a context of the model's dimension, candidates among its
# arms) so that calls get past the argument checks into the mathematics.
# Aggregates run over VALUES lists, as window aggregates, with ORDER BY and
# FILTER, and over a 6,000-row table with parallel plans forced (so the
# combine, serialize and deserialize functions run); set-returning functions
# run in the target list (streamed, LIMITed) and in FROM.  A few calls are
# wrong on purpose (one argument too many, an uncallable `internal`
# argument, a text where a number is expected): those alone may fail with
# a 42xxx SQLSTATE.
#
# Each call is one statement of one psql session: a PL/pgSQL runner
# executes it in a subtransaction and reports either its result or its
# SQLSTATE; 15% of the calls run with force_parallel_mode = on, so the
# functions also run inside parallel workers.  Every outcome must be
#   - a result whose text holds no NaN or Infinity (float8 outputs and
#     array elements, and the JSON of ope_state / banditmodel), that passes
#     the function's invariants (probabilities in [0, 1] summing to 1, a
#     banditmodel or ope_state that reads back from its text form to the same
#     text and bytes, feature_hash of length dim, scores and probabilities
#     aligned with the candidates, a chosen action among them), or
#   - an ERROR of class 22 (data exception) or 54000 (program limit), or
#     42xxx only for the deliberate calls: never XX000, a timeout or a crash.
# When a backend dies, the call that killed it is recorded (and re-run alone
# to confirm it), the server restarts and the run goes on, so one run shows
# every crashing call.  The server log must not say "terminated by signal",
# and the server must answer afterwards.
#
# Knobs: RANDOM_CALLS_SEED (default 160), RANDOM_CALLS_SCALE (calls per
# function weight, default 1.0), RANDOM_CALLS_DUMP (a file to write every
# call and its outcome to).  Runtime about 30 s on 2 cores
# (6,000 calls).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);
use List::Util qw(shuffle);

my $SEED  = $ENV{RANDOM_CALLS_SEED}  // 160;
my $SCALE = $ENV{RANDOM_CALLS_SCALE} // 1.0;
srand($SEED);
my $t_start = time;

my $node = PostgreSQL::Test::Cluster->new('random_calls');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
restart_after_crash = on
max_worker_processes = 8
max_parallel_workers = 4
max_parallel_workers_per_gather = 2
});
$node->start;

# ---------------------------------------------------------------------------
# Sample values: fitted models and accumulated states, small and extreme.
# ---------------------------------------------------------------------------
$node->safe_psql(
	'postgres', q{
CREATE EXTENSION artbandit;

CREATE TABLE rc_bm (id int PRIMARY KEY, note text, m banditmodel);
CREATE TABLE rc_os (id int PRIMARY KEY, note text, s ope_state);
CREATE TABLE rc_bs (id int PRIMARY KEY, note text, s ope_bootstrap_state);
CREATE TABLE rc_ps (id int PRIMARY KEY, note text, s ope_pair_state);

INSERT INTO rc_bm VALUES
 (1, 'dim 2, arms 1..3',
  (SELECT bandit_fit(1 + i % 3, ARRAY[1, sin(i)]::float8[], (i % 5 = 0)::int) FROM generate_series(1, 60) i)),
 (2, 'dim 3, weighted, negative and extreme ids',
  (SELECT bandit_fit((ARRAY[-7, 0, 9223372036854775807, -9223372036854775808, 12])[1 + i % 5],
                     ARRAY[1, cos(i), (i % 7) / 7.0]::float8[], sin(i * 3), 0.5 + i % 3)
   FROM generate_series(1, 80) i)),
 (3, 'dim 8 from simulate_impressions, 4 arms',
  (SELECT bandit_fit(image_id, context, played::int) FROM simulate_impressions(1500, 1, 4, 8, 7))),
 (4, 'dim 16 from simulate_impressions, 30 arms',
  (SELECT bandit_fit(image_id, context, minutes) FROM simulate_impressions(3000, 10, 3, 16, 3))),
 (5, 'no arms, dim 3', '{"version":1,"dim":3,"arms":[]}'),
 (6, 'extreme values, dim 1',
  '{"version":1,"dim":1,"arms":[{"action":-9223372036854775808,"n":9223372036854775807,"weight":2.2471164185778946e307,"sum_wr":-1e-9,"sum_wr2":5e-324,"A":[[5e-324]],"b":[-0]},{"action":9223372036854775807,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}'),
 (7, 'dim 1, one row', (SELECT bandit_fit(5, ARRAY[2]::float8[], 1))),
 (8, 'dim 2, rank one (identical contexts)',
  (SELECT bandit_fit(1 + i % 2, ARRAY[1, 1]::float8[], i % 2) FROM generate_series(1, 40) i)),
 (9, 'dim 2, huge rewards and contexts',
  (SELECT bandit_fit(1 + i % 2, ARRAY[1e100 * i, 1]::float8[], 1e100 * (i % 3)) FROM generate_series(1, 10) i)),
 (10, 'dim 2, tiny contexts and weights',
  (SELECT bandit_fit(1 + i % 2, ARRAY[1e-300 * i, 5e-324]::float8[], i, 1e-300) FROM generate_series(1, 10) i)),
 (11, 'dim 2, zero weights', (SELECT bandit_fit(3, ARRAY[1, i]::float8[], i, 0) FROM generate_series(1, 5) i)),
 (12, 'dim 64, 12 arms',
  (SELECT bandit_fit(i % 12, ARRAY(SELECT sin(i * j)::float8 FROM generate_series(1, 64) j), cos(i)) FROM generate_series(1, 300) i)),
 (13, 'dim 1024, one arm',
  (SELECT bandit_fit(-1, ARRAY(SELECT sin(i + j)::float8 FROM generate_series(1, 1024) j), i) FROM generate_series(1, 3) i)),
 (14, 'dim 3, 2000 arms',
  (SELECT bandit_fit(i % 2000, ARRAY[1, (i % 13) / 13.0, (i % 7) / 7.0]::float8[], (i % 3 = 0)::int) FROM generate_series(1, 6000) i));

INSERT INTO rc_os VALUES
 (1, 'basic, 2000 simulated rows',
  (SELECT ope_accumulate(played::int, propensity, (image_id % 4 = 1)::int) FROM simulate_impressions(2000, 5, 4, 6, 1))),
 (2, 'dr, 2000 simulated rows',
  (SELECT ope_accumulate(minutes, propensity, 0.25 + 0.5 * (image_id % 2), 10, 20) FROM simulate_impressions(2000, 5, 4, 6, 2))),
 (3, 'basic, empty', (SELECT ope_accumulate(1, 1, 1) WHERE false)),
 (4, 'dr, empty', (SELECT ope_accumulate(1, 1, 1, 1, 1) WHERE false)),
 (5, 'basic, one row', (SELECT ope_accumulate(1, 0.5, 1))),
 (6, 'basic, only skipped rows', (SELECT ope_accumulate(NULL::float8, 0.5, 1) FROM generate_series(1, 3))),
 (7, 'basic, sum(w) = 0', (SELECT ope_accumulate(1, 0.5, 0) FROM generate_series(1, 3))),
 (8, 'dr, one row', (SELECT ope_accumulate(1, 0.25, 1, 0.5, 0.75))),
 (9, 'replay state', (SELECT replay_played_transition(NULL, 1, 1, true))),
 (10, 'dr with three lambdas', (SELECT ope_accumulate(minutes, propensity, 0.25 + 0.5 * (image_id % 2), 10, 20, '{0.5,2,Infinity}') FROM simulate_impressions(500, 5, 4, 6, 4))),
 (11, 'basic with 32 lambdas', (SELECT ope_accumulate(played::int, propensity, (image_id % 4 = 1)::int, (SELECT array_agg(g::float8) FROM generate_series(0, 31) g)) FROM simulate_impressions(300, 5, 4, 6, 5))),
 (12, 'recap', (SELECT recap_transition(NULL, 1, 0.5, 3))),
 (13, 'version 1 (1.1) dr state', '{"version":1,"kind":"dr","n":2,"n_skipped":3,"n_matched":1,"max_weight":7.000000000000001,"min_propensity":0.125,"sums":{"pi":0.875,"pi_r":0.5,"pi2":0.765625,"pi2_r":0.4375,"pi2_r2":0.25,"w":7,"w2":49,"w_r":4,"w2_r":28,"w2_r2":16,"v":1,"v2":0.5,"w_e":2,"w2_e":5,"w2_e2":4,"v_w_e":1,"v_w":3}}');

INSERT INTO rc_bs VALUES
 (1, 'basic, 20 replicates', (SELECT ope_bootstrap(played::int, propensity, (image_id % 4 = 1)::int, user_id, 20, 1) FROM simulate_impressions(1000, 5, 4, 6, 1))),
 (2, 'dr, 3 replicates', (SELECT ope_bootstrap(minutes, propensity, 0.5, 10, 20, user_id, 3) FROM simulate_impressions(200, 5, 4, 6, 2))),
 (3, 'basic, one row, 1 replicate', (SELECT ope_bootstrap(1, 0.5, 1, 7, 1))),
 (4, 'dr, 200 replicates', (SELECT ope_bootstrap(1, 0.5, 1, 0, 0.5, 7)));
INSERT INTO rc_ps VALUES
 (1, 'basic', (SELECT ope_compare(played::int, propensity, (image_id % 4 = 1)::int, 0.25) FROM simulate_impressions(1000, 5, 4, 6, 1))),
 (2, 'dr', (SELECT ope_compare(minutes, propensity, 0.5, 0.25, 10, 20, 30) FROM simulate_impressions(300, 5, 4, 6, 2))),
 (3, 'same policy twice', (SELECT ope_compare(1, 0.5, 1, 1) FROM generate_series(1, 3))),
 (4, 'one row', (SELECT ope_compare(1, 0.5, 1, 0, 0, 1, 1)));

-- extreme but accepted states and models: keep those the extension takes
DO $$
DECLARE
  rows text[] := ARRAY[
    '(1e150, 1, 1), (-1e150, 1, 1)',
    '(1e-300, 1, 1), (5e-324, 1, 1)',
    '(1, 1e-150, 1), (0, 1, 1)',
    '(1, 1e-154, 1)',
    '(1, 5e-324, 0), (1, 1, 0)',
    '(-0.0, 1, 0), (0, 1, 1)',
    '(1e154, 1e-100, 1)',
    '(1e300, 1, 1e-300)',
    '(-1e300, 1, 1), (1e300, 1, 1), (1, 1, 1)',
    '(1, 1, 1), (1, 1, 1)',
    '(0.5, 1e-300, 1e-300), (1, 1, 1)'];
  dr_rows text[] := ARRAY[
    '(1, 0.5, 1, 1e150, -1e150)',
    '(1, 1e-150, 1, 1e-300, 1e300)',
    '(0, 1, 0, 0, 0), (0, 1, 0, 0, 0)',
    '(1e100, 1, 1, -1e100, 1e100)'];
  fits text[] := ARRAY[
    '(1, ''{1e150,1}''::float8[], 1e150, 1), (2, ''{1,1e150}''::float8[], -1e150, 1)',
    '(1, ''{1e-300,5e-324}''::float8[], 1, 1e300)',
    '(1, ''{1,2}''::float8[], 1, 1e300), (1, ''{2,1}''::float8[], 0, 1e300)',
    '(9223372036854775807, ''{1e154,1e154}''::float8[], 1e154, 1)',
    '(1, ''{-0.0,0}''::float8[], -0.0, 0), (2, ''{0,0}''::float8[], 0, 5e-324)'];
  r text; k int := 100;
BEGIN
  FOREACH r IN ARRAY rows LOOP
    k := k + 1;
    BEGIN
      EXECUTE format('INSERT INTO rc_os SELECT %s, %L, ope_accumulate(a, b, c) FROM (VALUES %s) v(a, b, c)', k, r, r);
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
  FOREACH r IN ARRAY dr_rows LOOP
    k := k + 1;
    BEGIN
      EXECUTE format('INSERT INTO rc_os SELECT %s, %L, ope_accumulate(a, b, c, d, e) FROM (VALUES %s) v(a, b, c, d, e)', k, r, r);
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
  FOREACH r IN ARRAY fits LOOP
    k := k + 1;
    BEGIN
      EXECUTE format('INSERT INTO rc_bm SELECT %s, %L, bandit_fit(a, b, c, d) FROM (VALUES %s) v(a, b, c, d)', k, r, r);
    EXCEPTION WHEN others THEN NULL;
    END;
  END LOOP;
END $$;

-- 6,000 log rows for aggregates with parallel plans, 240 small models
CREATE TABLE rc_rows AS
SELECT impression_id AS id, played::int::float8 AS r, propensity AS mu,
       ((impression_id * 7) % 5) / 4.0 AS pi, ((impression_id * 3) % 11) / 10.0 AS q,
       ((impression_id * 13) % 7) / 6.0 AS v, image_id AS la,
       show_id * 1000 + 1 + (impression_id % 4) AS ta, played, minutes, context AS ctx,
       1.0 + impression_id % 3 AS w
FROM simulate_impressions(6000, 10, 4, 6, 11);
ALTER TABLE rc_rows ADD st ope_state, ADD st_dr ope_state, ADD bm banditmodel,
  ADD bs ope_bootstrap_state, ADD ps ope_pair_state, ADD lam float8[];
UPDATE rc_rows SET bs = ope_bootstrap_transition(NULL, r, mu, pi, id / 4, 5, 1),
                   ps = ope_compare_transition(NULL, r, mu, pi, 0.5),
                   lam = '{1,4,Infinity}';
UPDATE rc_rows SET st = ope_accumulate_transition(NULL, r, mu, pi),
                   st_dr = ope_accumulate_transition(NULL, r, mu, pi, q, v),
                   bm = CASE WHEN id % 50 = 0 THEN bandit_update(bandit_update(NULL, la, ctx, r), ta, ctx, 1 - r)
                             WHEN id % 50 = 25 THEN bandit_update(NULL, la, ctx, r) END;
VACUUM ANALYZE rc_rows;

-- the dimension of a model, from its binary form (cheap even for dim 1024)
CREATE FUNCTION rc_dim(banditmodel) RETURNS int LANGUAGE sql IMMUTABLE STRICT
  AS $$ SELECT ('x' || encode(substring(banditmodel_send($1) FROM 5 FOR 4), 'hex'))::bit(32)::int $$;

-- rc_run(id, query, in_worker): runs one call, returns its outcome as a line;
-- in_worker forces the call into a parallel worker where it can go.
CREATE FUNCTION rc_run(id int, q text, in_worker bool) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
  res text; ok bool; st text; msg text;
  t0 timestamptz := clock_timestamp();
BEGIN
  IF in_worker THEN
    PERFORM set_config('force_parallel_mode', 'on', true);
  END IF;
  BEGIN
    FOR res, ok IN EXECUTE q LOOP END LOOP;
  EXCEPTION
    WHEN query_canceled THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000)
        || E'\tE\t' || st || E'\t' || left(regexp_replace(msg, '\s+', ' ', 'g'), 300);
    WHEN others THEN
      GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
      RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000)
        || E'\tE\t' || st || E'\t' || left(regexp_replace(msg, '\s+', ' ', 'g'), 300);
  END;
  RETURN id || E'\t' || round(extract(epoch FROM clock_timestamp() - t0) * 1000) || E'\tR\t'
    || CASE WHEN res IS NULL THEN 'null'
            -- (an infinite lambda is a valid value: in a state's text or jsonb, as the
            -- first column of ope_lambda_diagnostics, the last of ope_report,
            -- the second of ope_tune and in its reason)
            WHEN regexp_replace(res, '"lambda": ?"Infinity"|lambda=Infinity|(^|\n)\(Infinity,|,Infinity\)|\((ipw_clip|dr_clip|switch_dr|dr_os),Infinity,',
                                '', 'g') ~ '(NaN|Infinity)' THEN 'nonfinite' ELSE 'value' END
    || E'\t' || coalesce(ok::text, 'null') || E'\t'
    || left(regexp_replace(coalesce(res, ''), '\s+', ' ', 'g'), 300);
END $f$;
});

# ---------------------------------------------------------------------------
# The functions, from the catalog.
# ---------------------------------------------------------------------------
my @funcs;
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', q{
	SELECT p.oid, p.proname, p.prokind, p.proretset, format_type(p.prorettype, NULL),
	       p.pronargs, p.pronargdefaults,
	       coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY o)
	                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(t, o)), ''),
	       array_to_string(ARRAY(
	         SELECT coalesce(p.proargnames[i], '')
	         FROM generate_series(1, coalesce(array_length(p.proargmodes, 1), p.pronargs)) i
	         WHERE p.proargmodes IS NULL OR p.proargmodes[i] IN ('i', 'b', 'v')), ',', '')
	FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
	WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
	  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'artbandit')
	  -- the scheduled jobs read and write the caller's tables (regclass
	  -- arguments): sql/rollup*.sql, sql/refresh_skipped_scopes.sql and
	  -- TAP 125 (every error they raise) cover them
	  AND NOT 'regclass'::regtype = ANY (p.proargtypes::regtype[])
	ORDER BY p.proname, p.pronargs, p.oid}))
{
	my ($oid, $name, $kind, $retset, $rettype, $nargs, $ndef, $types, $names)
	  = split /\|/, $line, -1;
	my @types = $nargs ? split(/,/, $types, -1) : ();
	my @names = $nargs ? split(/,/, $names, -1) : ();
	@names = ('') x @types unless @names == @types;
	push @funcs,
	  {
		oid => $oid,
		name => $name,
		kind => $kind,
		retset => $retset eq 't',
		rettype => $rettype,
		ndef => $ndef,
		types => \@types,
		names => \@names,
		label => "$name(" . join(',', @types) . ")"
	  };
}
cmp_ok(scalar(@funcs), '>=', 50, 'functions and aggregates of the extension read from pg_depend');

# Models and states with their dimensions and arms, and their text forms.
my (@models, @states);
for my $line (
	split /\n/,
	$node->safe_psql(
		'postgres', q{
	SELECT id, rc_dim(m),
	       coalesce((SELECT string_agg(action::text, ',' ORDER BY action) FROM bandit_arms(m)), ''),
	       CASE WHEN octet_length(banditmodel_send(m)) < 2000 THEN m::text ELSE '' END
	FROM rc_bm ORDER BY id}))
{
	my ($id, $dim, $arms, $text) = split /\|/, $line, -1;
	push @models,
	  { id => $id, dim => $dim, arms => [ split /,/, $arms ], text => $text };
}
for my $line (split /\n/,
	$node->safe_psql('postgres', q{SELECT id, s::text FROM rc_os ORDER BY id}))
{
	my ($id, $text) = split /\|/, $line, -1;
	push @states, { id => $id, text => $text };
}
# the 1.2 states: bootstrap and paired, by table
my %states12;
for my $t ('rc_bs', 'rc_ps')
{
	for my $line (split /\n/, $node->safe_psql('postgres', "SELECT id, s::text FROM $t ORDER BY id"))
	{
		my ($id, $text) = split /\|/, $line, -1;
		push @{ $states12{$t} }, { id => $id, text => $text };
	}
}
note(sprintf "%d sample models, %d sample states, %d bootstrap and %d paired states", scalar @models,
	scalar @states, scalar @{ $states12{rc_bs} }, scalar @{ $states12{rc_ps} });

# ---------------------------------------------------------------------------
# Value pools (SQL expressions).
# ---------------------------------------------------------------------------
sub pick { return $_[ int(rand(@_)) ]; }
sub chance { return rand() < $_[0]; }
sub q_lit { my $s = shift; $s =~ s/'/''/g; return "'$s'"; }

my @float_real = qw(0 1 0.5 0.25 0.1 0.9 2 3.5 -2 10 42 0.001 0.75 0.3333333333333333 -1 100);
my @float_extreme = (
	"'-0'", '1e308', '-1e308', '1.7976931348623157e308', '-1.7976931348623157e308',
	'1e-308', '2.2250738585072014e-308', '5e-324', '-5e-324', '1e-320',
	"'NaN'", "'Infinity'", "'-Infinity'", '1e154', '1e-154', '1e300',
	'-1e300', '1e-300', '0.9999999999999999', '1.0000000000000002',
	'9.3e18', '1e16', '-1e-300', '4e-162');

sub gen_float
{
	return 'NULL::float8' if chance(0.06);
	return '1e400::float8' if chance(0.003);    # out-of-range literal: 22003
	my $v = chance(0.6) ? pick(@float_real) : pick(@float_extreme);
	$v = "($v)" if $v =~ /^-/;
	return "$v\::float8";
}

sub gen_prob    # a propensity or probability: mostly in range
{
	return gen_float() if chance(0.3);
	return pick('0.25', '0.5', '1', '0.1', '0.75', '0.01', '0', '1e-6', '0.3') . '::float8';
}

my @int8_vals = (
	'0', '1', '-1', '2', '3', '42', '9223372036854775807',
	'(-9223372036854775808)', '1001', '1002', '5', '12', '(-7)', '4294967296',
	'(-2147483648)', '1000000000000');

sub gen_int8
{
	return 'NULL::int8' if chance(0.05);
	return pick(@int8_vals) . '::int8' if chance(0.7);
	my $v = int(rand(2**31)) * (chance(0.5) ? 1 : -1) * (chance(0.3) ? 4294967296 : 1);
	return "($v)::int8";
}

my @int4_vals = (
	'0', '1', '-1', '2', '3', '4', '6', '8', '16', '64', '999', '1000', '1024',
	'1025', '1048576', '1048577', '2147483647', '(-2147483648)');

sub gen_int4
{
	return 'NULL::int4' if chance(0.05);
	return pick(@int4_vals) . '::int4';
}

sub gen_bool { return pick('true', 'false', 'NULL::bool'); }

my @policies = (
	'greedy', 'uniform', 'epsilon_greedy', 'softmax', 'linucb', 'thompson',
	'epsilon_greedy(epsilon=0.1)', 'epsilon_greedy(epsilon=0)', 'epsilon_greedy(epsilon=1)',
	'softmax(temperature=0.5)', 'softmax(temperature=1e-300)', 'softmax(temperature=1e300)',
	'softmax(temperature=5e-324)', 'linucb(alpha=1.0)', 'linucb(alpha=0)',
	'linucb(alpha=1e308)', 'linucb(alpha=0.5, ridge=2)', 'thompson(scale=1.0)',
	'thompson(scale=1e-300)', 'thompson(scale=1e300)', 'thompson(scale=5e-324)',
	'thompson(scale=0.01, ridge=1e-300)', 'greedy(ridge=1e-300)', 'greedy(ridge=5e-324)',
	'greedy(ridge=1e308)', 'uniform(ridge=1)', 'GREEDY', ' Softmax ( temperature = 2 ) ',
	'linucb(ridge=1e-12, alpha=3)', 'thompson(ridge=1e-8)', 'greedy()',
	'epsilon_greedy(epsilon=0.5, ridge=0.5)');
my @bad_policies = (
	'', ' ', 'greedy(', 'greedy)', 'greedy(ridge=)', 'greedy(ridge=0)', 'greedy(ridge=-1)',
	'greedy(ridge=nan)', 'greedy(ridge=inf)', 'greedy(ridge=1e400)', 'linucb(alpha=-1)',
	'softmax(temperature=0)', 'thompson(scale=0)', 'thompson(scale=-1)',
	'epsilon_greedy(epsilon=1.5)', 'epsilon_greedy(epsilon=0.1, epsilon=0.2)',
	'epsilon_greedy(epsilon=0.1, ridge=1, ridge=2)', 'greedy(epsilon=0.1)', 'bogus',
	'greedy extra', 'greedy,', 'linucb(alpha=1,)', 'linucb(alpha 1)', '(alpha=1)',
	'linucb(alpha=1))', "greedy\x{e9}", 'thompson(scale=1e-400)',
	'softmax(temperature=0x10)', 'greedy(' . ('a' x 100) . '=1)',
	'epsilon_greedy(' . join(',', map { "ridge=$_" } 1 .. 50) . ')',
	'x' x 5000, 'uniform(ridge=1, ridge=1, ridge=1)', "greedy\ttab",
	'linucb(alpha=1e-310)');

sub gen_policy
{
	return 'NULL::text' if chance(0.04);
	return q_lit(chance(0.75) ? pick(@policies) : pick(@bad_policies)) . '::text';
}

sub gen_text
{
	return 'NULL::text' if chance(0.05);
	return q_lit(
		pick(
			'', 'a', 'ips', 'snips', 'dr', 'sndr', 'dm', 'replay', 'IPS', ' ips',
			'greedy', 'x' x 3000, "\x{263a}", 'NaN')) . '::text';
}

sub gen_estimator
{
	return gen_text() if chance(0.2);
	return q_lit(pick(qw(replay ips snips dm dr sndr Replay DR ipw_clip dr_clip switch_dr dr_os))) . '::text';
}

# arrays: literal or expression, with the element type $t ('float8', 'int8', 'text')
sub float_elem { my $v = gen_float(); $v =~ s/::float8$//; $v =~ s/^\((.*)\)$/$1/; return $v; }

sub float_array_lit
{
	my @v = @_;
	return "ARRAY[" . join(',', @v) . "]::float8[]";
}

sub gen_float_array
{
	my ($len) = @_;
	my $r = rand();
	if (defined $len && $r < 0.75)
	{
		# the right length: mostly realistic, sometimes one extreme element
		my @v = map { pick(@float_real) } 1 .. $len;
		if (chance(0.35)) { $v[ int(rand($len)) ] = float_elem(); }
		@v = map { $_ eq 'NULL' ? 'NULL' : "($_)::float8" } @v;
		return float_array_lit(@v) if $len <= 64 || chance(0.5);
		return "array_fill(0.5::float8, ARRAY[$len])";
	}
	return pick(
		'NULL::float8[]', "'{}'::float8[]", "'{1}'::float8[]", "'{0.5,0.5}'::float8[]",
		"'{1,2,3}'::float8[]", "'{{1,2},{3,4}}'::float8[]", "'{{{1}}}'::float8[]",
		"'[0:1]={1,2}'::float8[]", "'[5:7]={1,0,1}'::float8[]", "'[-3:-2]={0.5,0.5}'::float8[]",
		"'{NULL,1}'::float8[]", "'{1,NULL,3}'::float8[]", "'{NULL}'::float8[]",
		"'{NaN,1}'::float8[]", "'{Infinity,1}'::float8[]", "'{1,-Infinity,0}'::float8[]",
		"'{1e308,1e308}'::float8[]", "'{5e-324,-5e-324}'::float8[]", "'{-0,-0,-0}'::float8[]",
		"'{0.25,0.25,0.25,0.25}'::float8[]", "'{1,0,0,0}'::float8[]", "'{0.5,0.5,0}'::float8[]",
		"'{0.7,0.2,0.1}'::float8[]", "'{1.0000000001,0}'::float8[]", "'{0.5,0.5000000001}'::float8[]",
		"ARRAY(SELECT sin(g)::float8 FROM generate_series(1, 2000) g)",
		"array_fill(1e-3::float8, ARRAY[1000])", "array_fill(0::float8, ARRAY[1025])",
		"array_fill(1::float8, ARRAY[2, 3])", "array_fill(0.5::float8, ARRAY[2], ARRAY[0])",
		"array_fill(NULL::float8, ARRAY[3])", "array_fill(1e308::float8, ARRAY[64])",
		"ARRAY(SELECT 1.0 / 2000 FROM generate_series(1, 2000))::float8[]",
		"feature_hash(ARRAY['genre=anime', 'country=BR'], 8)");
}

sub gen_int8_array
{
	my ($arms) = @_;
	if ($arms && @$arms && chance(0.7))
	{
		my @c = @$arms;
		if (chance(0.5) && @c > 1)
		{    # a random subset, in random order
			my $n = 1 + int(rand(@c > 40 ? 40 : @c));
			my %seen;
			@c = grep { !$seen{$_}++ } map { pick(@$arms) } 1 .. $n;
		}
		@c = @c[ 0 .. 1999 ] if @c > 2000;
		push @c, pick('424242', '-1', '0', '9223372036854775806') if chance(0.3);
		push @c, $c[0] if chance(0.05);    # a duplicate
		return "ARRAY[" . join(',', map { "($_)::int8" } @c) . "]::int8[]";
	}
	return pick(
		'NULL::int8[]', "'{}'::int8[]", "'{1}'::int8[]", "'{1,2}'::int8[]", "'{1,2,3}'::int8[]",
		"'{1,1}'::int8[]", "'{{1,2},{3,4}}'::int8[]", "'{NULL,1}'::int8[]", "'{NULL}'::int8[]",
		"'[0:1]={1,2}'::int8[]", "'[7:9]={1,2,3}'::int8[]",
		"'{9223372036854775807,-9223372036854775808}'::int8[]", "'{1001,1002,1003,1004}'::int8[]",
		"ARRAY(SELECT g::int8 FROM generate_series(1, 2000) g)",
		"ARRAY(SELECT g::int8 FROM generate_series(1, 100001) g)",
		"ARRAY(SELECT (g * 7919)::int8 FROM generate_series(-1000, 999) g)",
		"ARRAY(SELECT g % 10 FROM generate_series(1, 2000) g)::int8[]");
}

my @tokens = (
	'genre=anime', 'country=BR', 'lang=pt', 'dow=sat', '', ' ', "\x{263a}", 'a' x 1000,
	'tod=evening', 'x', 'NULL', "'", '\\', 'genre=drama');

sub gen_text_array
{
	return pick(
		'NULL::text[]', "'{}'::text[]", "'{a,b}'::text[]", "'{NULL}'::text[]",
		"'{a,NULL}'::text[]", "'{{a,b},{c,d}}'::text[]", "'[0:1]={a,b}'::text[]",
		"'[-2:-2]={x}'::text[]", "ARRAY(SELECT 't' || g FROM generate_series(1, 2000) g)",
		"ARRAY(SELECT repeat('z', g) FROM generate_series(1, 300) g)",
		"array_fill('same'::text, ARRAY[2000])", "array_fill('a'::text, ARRAY[2,2])")
	  if chance(0.4);
	my $n = int(rand(8));
	return "ARRAY[" . join(',', map { q_lit(pick(@tokens)) } 1 .. $n) . "]::text[]";
}

# JSON text mutations of valid ope_state / banditmodel text forms.
my @json_numbers = (
	'0', '-0', '-1', '1', '2', '1e308', '-1e308', '1.7976931348623157e308', '5e-324',
	'1e-320', '1e400', '-1e400', '9223372036854775807', '9223372036854775808',
	'-9223372036854775809', '4294967295', '4294967296', '1025', '100001', 'NaN',
	'Infinity', '"1"', 'null', 'true', '[]', '{}', '0.5', '1e-300', '3', '-5e-324', '1.5',
	'[1,2]', '[[1]]', '18446744073709551616', '0.0000000001');

sub mutate_json
{
	my ($s) = @_;
	my $rounds = 1 + (chance(0.3) ? int(rand(3)) : 0);
	for (1 .. $rounds)
	{
		my $k = int(rand(10));
		my @num;
		while ($s =~ /(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/g)
		{
			push @num, [ $-[1], $+[1] - $-[1] ];
		}
		if ($k <= 3 && @num)
		{    # replace a number
			my $n = pick(@num);
			substr($s, $n->[0], $n->[1]) = pick(@json_numbers);
		}
		elsif ($k == 4 && length $s)
		{    # delete a character
			substr($s, int(rand(length $s)), 1) = '';
		}
		elsif ($k == 5)
		{    # insert a character
			substr($s, int(rand(length($s) + 1)), 0) =
			  pick('{', '}', '[', ']', ',', ':', '"', '1', ' ', '-', '\\', "\x{e9}");
		}
		elsif ($k == 6 && length $s)
		{    # truncate
			$s = substr($s, 0, int(rand(length $s)));
		}
		elsif ($k == 7 && length $s)
		{    # duplicate a slice
			my $at = int(rand(length $s));
			my $l = int(rand(40));
			substr($s, $at, 0) = substr($s, $at, $l);
		}
		elsif ($k == 8)
		{    # rename a key
			my @keys;
			while ($s =~ /"([a-z_0-9]+)"\s*:/g) { push @keys, [ $-[1], $+[1] - $-[1] ]; }
			if (@keys)
			{
				my $key = pick(@keys);
				substr($s, $key->[0], $key->[1]) = pick(
					'version', 'dim', 'arms', 'kind', 'n', 'n_skipped', 'sums', 'action', 'A', 'b',
					'weight', 'x', 'pi', 'w', 'max_weight', 'min_propensity', 'sum_wr2');
			}
		}
		elsif ($k == 9 && @num >= 2)
		{    # swap two numbers
			my ($x, $y) = (pick(@num), pick(@num));
			($x, $y) = ($y, $x) if $x->[0] > $y->[0];
			if ($x->[0] + $x->[1] <= $y->[0])
			{
				my $sx = substr($s, $x->[0], $x->[1]);
				my $sy = substr($s, $y->[0], $y->[1]);
				substr($s, $y->[0], $y->[1]) = $sx;
				substr($s, $x->[0], $x->[1]) = $sy;
			}
		}
	}
	return $s;
}

# Structured mutations: the JSON stays well-formed and A symmetric, so that
# most mutated values are accepted and reach the mathematics.
my @model_vals = (
	'0', '-0', '-1', '1', '2', '0.5', '1e308', '-1e308', '5e-324', '-5e-324', '1e-300',
	'1e154', '-1e154', '1e16', '9223372036854775807', '-9223372036854775808', '1e-160');

sub mutate_model_struct
{
	my ($s) = @_;
	my @arms;
	while ($s =~ /\{"action":[^{}]*\}/g) { push @arms, [ $-[0], $+[0] - $-[0] ]; }
	my $k = int(rand(9));
	if ($k == 8 || !@arms)
	{    # another dimension
		$s =~ s/"dim":(\d+)/'"dim":' . pick($1 + 1, $1 - 1, 0, 1025, 1, 4294967297)/e;
		return $s;
	}
	if ($k == 7)
	{    # a duplicate arm, two arms swapped, or no arms
		my $a = pick(@arms);
		my $r = rand();
		if ($r < 0.4)
		{
			substr($s, $a->[0] + $a->[1], 0) = ',' . substr($s, $a->[0], $a->[1]);
		}
		elsif ($r < 0.7 && @arms >= 2)
		{
			my ($x, $y) = @arms[ 0, 1 ];
			my ($ax, $ay) = (substr($s, $x->[0], $x->[1]), substr($s, $y->[0], $y->[1]));
			substr($s, $y->[0], $y->[1]) = $ax;
			substr($s, $x->[0], $x->[1]) = $ay;
		}
		else
		{
			$s =~ s/"arms":\[.*\]\}$/"arms":[]}/s;
		}
		return $s;
	}
	my $a   = pick(@arms);
	my $arm = substr($s, $a->[0], $a->[1]);
	my $v   = pick(@model_vals);
	if ($k <= 1)
	{    # a scalar of the arm
		my $f = pick(qw(action n weight sum_wr sum_wr2));
		$arm =~ s/"$f":[^,]+/"$f":$v/;
	}
	elsif ($k <= 5)
	{    # A: a diagonal element, a symmetric pair, or every element alike
		my ($A) = $arm =~ /"A":(\[\[.*?\]\])/;
		my @rows = map { [ split /,/ ] } ($A =~ /\[([^\[\]]*)\]/g);
		my $d = @rows;
		my ($i, $j) = (int(rand($d)), int(rand($d)));
		$j = $i if $k == 2;
		if ($k == 5)
		{
			@rows = map { [ ($v) x $d ] } 1 .. $d;
		}
		else
		{
			$rows[$i][$j] = $v;
			$rows[$j][$i] = $v;
		}
		my $newA = '[' . join(',', map { '[' . join(',', @$_) . ']' } @rows) . ']';
		$arm =~ s/"A":\[\[.*?\]\]/"A":$newA/;
	}
	else
	{    # an element of b
		my ($b) = $arm =~ /"b":\[([^\[\]]*)\]/;
		my @b = split /,/, $b;
		$b[ int(rand(@b)) ] = $v;
		my $nb = join(',', @b);
		$arm =~ s/"b":\[[^\[\]]*\]/"b":[$nb]/;
	}
	substr($s, $a->[0], $a->[1]) = $arm;
	return $s;
}

my @sum_names = qw(pi pi_r pi2 pi2_r pi2_r2 w w2 w_r w2_r w2_r2 v v2 w_e w2_e w2_e2 v_w_e v_w);
my @state_vals = (
	@model_vals, '[1,1]', '[1e308,-1e308]', '[1,-1]', '[5e-324,5e-324]', '[0,1e-300]',
	'[1e16,1]', '[-1,0.5]', '[1,1e-17]', 'null', '[1]', '[1,2,3]');

sub mutate_state_struct
{
	my ($s) = @_;
	my $k = int(rand(6));
	my $v = pick(@state_vals);
	if ($k <= 1)
	{    # a count or an extreme
		my $f = pick(qw(n n_skipped n_matched max_weight min_propensity));
		$v = pick('0', '1', '2', '3', '-1', '9223372036854775807', '1e308', '5e-324', 'null', '0.5')
		  if chance(0.5);
		$s =~ s/"$f":[^,]+/"$f":$v/;
	}
	elsif ($k <= 3)
	{    # a sum set (or added)
		my $f = pick(@sum_names);
		if ($s =~ /"$f":/)
		{
			$s =~ s/"$f":(\[[^\]]*\]|[^,}]+)/"$f":$v/;
		}
		else
		{
			$s =~ s/"sums":\{/"sums":{"$f":$v,/;
			$s =~ s/,\}/}/;
		}
	}
	elsif ($k == 4)
	{    # a sum removed
		my $f = pick(@sum_names);
		$s =~ s/"$f":(\[[^\]]*\]|[^,}]+),?//;
		$s =~ s/,\}/}/;
	}
	else
	{    # the other kind
		$s =~ s/"kind":"(basic|dr)"/'"kind":"' . ($1 eq 'dr' ? 'basic' : 'dr') . '"'/e;
	}
	return $s;
}

my $cur_fname    = '';   # the function a call is generated for
my $n_mutated    = 0;
my $call_mutated = 0;    # the call being generated has a mutated literal

sub gen_model
{
	my ($ctx) = @_;
	my $r = rand();
	return 'NULL::banditmodel' if $r < 0.05;
	my $m = pick(@models);
	# the big ones (dim 1024, 2000 arms) rarely, and never printed whole
	$m = pick(@models) if $m->{id} == 13 || $m->{id} == 14;
	$m = pick(grep { $_->{id} != 13 } @models) if $m->{id} == 13 && $cur_fname eq 'banditmodel_out';
	$ctx->{model} = $m if !$ctx->{model};
	if ($r < 0.65 || $m->{text} eq '')
	{
		return "(SELECT m FROM rc_bm WHERE id = $m->{id})";
	}
	if ($r < 0.8)
	{
		return q_lit($m->{text}) . '::banditmodel';
	}
	$n_mutated++;
	$call_mutated = 1;
	delete $ctx->{model} if $ctx->{model} == $m && chance(0.5);
	my $t = chance(0.6) ? mutate_model_struct($m->{text}) : mutate_json($m->{text});
	return q_lit($t) . '::banditmodel';
}

sub gen_state
{
	my ($ctx) = @_;
	my $r = rand();
	return 'NULL::ope_state' if $r < 0.05;
	my $s = pick(@states);
	return "(SELECT s FROM rc_os WHERE id = $s->{id})" if $r < 0.6;
	return q_lit($s->{text}) . '::ope_state' if $r < 0.75;
	$n_mutated++;
	$call_mutated = 1;
	my $t = chance(0.6) ? mutate_state_struct($s->{text}) : mutate_json($s->{text});
	return q_lit($t) . '::ope_state';
}

# A bootstrap or paired state: NULL, stored, a literal, or a mutated literal.
my %table12 = (ope_bootstrap_state => 'rc_bs', ope_pair_state => 'rc_ps');

sub gen_state12
{
	my ($type) = @_;
	my $r = rand();
	return "NULL::$type" if $r < 0.05;
	my $s = pick(@{ $states12{ $table12{$type} } });
	return "(SELECT s FROM $table12{$type} WHERE id = $s->{id})" if $r < 0.6;
	return q_lit($s->{text}) . "::$type" if $r < 0.75;
	$n_mutated++;
	$call_mutated = 1;
	return q_lit(mutate_json($s->{text})) . "::$type";
}

sub gen_cstring
{
	my ($rettype) = @_;
	my $src;
	if ($rettype eq 'banditmodel')
	{
		my $m = pick(grep { $_->{text} ne '' } @models);
		$src = $m->{text};
	}
	elsif ($table12{$rettype})
	{
		$src = pick(@{ $states12{ $table12{$rettype} } })->{text};
		if (chance(0.7))
		{
			$call_mutated = 1;
			$src = mutate_json($src);
		}
		return q_lit($src) . '::cstring';
	}
	else
	{
		$src = pick(@states)->{text};
	}
	if (chance(0.7))
	{
		$call_mutated = 1;
		$src =
		    chance(0.4)                   ? mutate_json($src)
		  : $rettype eq 'banditmodel' ? mutate_model_struct($src)
		  :                               mutate_state_struct($src);
	}
	$src = pick('', '{', '[]', 'null', '{}', ' ' x 10) if chance(0.05);
	return q_lit($src) . '::cstring';
}

sub gen_bytea
{
	return pick(
		"'\\x'::bytea", "'\\x00'::bytea", "'\\x0100000000000000'::bytea",
		"decode(repeat('ff', 400), 'hex')", "banditmodel_send((SELECT m FROM rc_bm WHERE id = 1))",
		"ope_state_send((SELECT s FROM rc_os WHERE id = 1))", 'NULL::bytea',
		"ope_state_send((SELECT s FROM rc_os WHERE id = 10))",
		"ope_bootstrap_state_send((SELECT s FROM rc_bs WHERE id = 1))",
		"substring(ope_bootstrap_state_send((SELECT s FROM rc_bs WHERE id = 2)) FROM 1 FOR 100)",
		"ope_pair_state_send((SELECT s FROM rc_ps WHERE id = 2))");
}

# One argument of type $type (named $name) for a call being built in $ctx.
sub gen_arg
{
	my ($type, $name, $ctx, $f) = @_;
	my $m = $ctx->{model};
	if ($type eq 'banditmodel')    { return gen_model($ctx); }
	if ($type eq 'ope_state')      { return gen_state($ctx); }
	if ($table12{$type})           { return gen_state12($type); }
	if ($type eq 'cstring')        { return gen_cstring($f->{rettype}); }
	if ($type eq 'bytea')          { return gen_bytea(); }
	if ($type eq 'internal')       { return 'NULL::internal'; }
	if ($type eq 'boolean')        { return gen_bool(); }
	if ($type eq 'text[]')         { return gen_text_array(); }
	if ($type eq 'bigint[]')       { return gen_int8_array($m ? $m->{arms} : undef); }
	if ($type eq 'double precision[]' && $name eq 'lambdas' && chance(0.7))
	{
		return pick("'{1}'::float8[]", "'{0,0.5,2,Infinity}'::float8[]", "'{Infinity}'::float8[]",
			"'{1e-300,1e300}'::float8[]", "(SELECT array_agg(g::float8) FROM generate_series(1, 32) g)");
	}
	if ($type eq 'double precision[]' && $name eq 'p_values' && chance(0.7))
	{
		return pick("'{0.01,0.04,0.03}'::float8[]", "'{1}'::float8[]", "'{0,1,NULL,0.5}'::float8[]",
			"ARRAY(SELECT (g % 100) / 100.0 FROM generate_series(1, 2000) g)::float8[]");
	}
	if ($type eq 'double precision[]')
	{
		my $len;
		$len = $m->{dim} if $m && $name eq 'context';
		$len = $ctx->{plen} if $name eq 'values' && $ctx->{plen};
		my $arr = gen_float_array($len);
		if ($name eq 'probabilities' && chance(0.6))
		{
			my $k = 1 + int(rand(5));
			$ctx->{plen} = $k;
			$arr = float_array_lit(map { sprintf('%.17g', 1 / $k) } 1 .. $k);
		}
		return $arr;
	}
	if ($type eq 'text')
	{
		return q_lit(pick('normal', 'bernstein', 'wilson', 'clopper_pearson', 'cs', 'cs(rows=50)',
				'slope', 'mse', 'CS ( rows = 1e15 )', 'cs(rows=0)', 'cs(rows=', 'normal(x=1)', ''))
		  . '::text'
		  if $name eq 'method' && chance(0.8);
		return gen_estimator() if $name eq 'estimator';
		return gen_text()      if $name eq '' && chance(0.3);
		return gen_policy();
	}
	if ($type eq 'bigint')
	{
		if ($m && @{ $m->{arms} } && ($name eq 'action' || $name eq 'logged_action') && chance(0.6))
		{
			return '(' . pick(@{ $m->{arms} }) . ')::int8';
		}
		return '(' . int(rand(200)) . ')::int8' if $name eq 'n' && chance(0.8);
		return gen_int8();
	}
	if ($type eq 'integer')
	{
		return pick('1', '2', '5', '20', '0', '-1', '10000', '10001') . '::int4'
		  if $name eq 'replicates' && chance(0.8);
		return pick('1', '2', '3', '0', '-5', '1000') . '::int4'
		  if ($name eq 'target_rank' || $name eq 'replicate') && chance(0.7);
		return pick('1', '2', '3', '4', '8', '16', '64') . '::int4'
		  if chance(0.6) && ($name eq 'dim' || $name eq 'shows' || $name eq 'images_per_show');
		return gen_int4();
	}
	if ($type eq 'double precision')
	{
		return gen_prob() if $name =~ /^(propensity|target_probability|target_a|target_b|confidence)$/;
		return gen_prob() if $name eq '' && chance(0.5);
		return pick('1.0', '0.5', '2', '1e-6') . '::float8' if $name eq 'ridge' && chance(0.5);
		return gen_float();
	}
	die "no generator for type $type";
}

# ---------------------------------------------------------------------------
# Calls.
# ---------------------------------------------------------------------------
my %weight = (
	bandit_act => 3, bandit_choose => 3, bandit_probabilities => 4, bandit_probability => 3,
	bandit_scores => 3, bandit_value => 3, bandit_predict => 3, bandit_update => 3,
	bandit_fit => 2, bandit_merge => 2, bandit_arms => 2, feature_hash => 2,
	simulate_impressions => 2, ope_report => 3, ope_estimate => 3, ope_diagnostics => 2,
	ope_merge => 2, policy_value => 2, ope_state_in => 2, banditmodel_in => 3);
my $base_calls = 70 * $SCALE;

my %rc_cols = (
	'double precision' => {
		reward => 'r', propensity => 'mu', target_probability => 'pi', q_logged => 'q',
		v_target => 'v', weight => 'w', target_a => 'pi', target_b => '0.5::float8',
		v_a => 'v', v_b => 'q', '' => 'minutes'
	},
	'double precision[]' => { lambdas => 'lam', '' => 'ctx' },
	'bigint' => { logged_action => 'la', target_action => 'ta', action => 'la', unit_id => '(id / 3)',
		seed => '7::int8', '' => 'la' },
	'boolean' => { '' => 'played' },
	'ope_state' => { '' => 'st' },
	'banditmodel' => { '' => 'bm' },
	'ope_bootstrap_state' => { '' => 'bs' },
	'ope_pair_state' => { '' => 'ps' },
	'integer' => { replicates => '5', target_rank => '(1 + id % 4)::int4' },
);

sub rc_column
{
	my ($type, $name) = @_;
	my $c = $rc_cols{$type} or return undef;
	my $v = $c->{$name} // $c->{''};
	$v = pick('st', 'st', 'st_dr') if $type eq 'ope_state';
	return $v;
}

# The check expression on result column r (NULL results pass).
sub result_check
{
	my ($f) = @_;
	my $n = $f->{name};
	my $rt = $f->{rettype};
	# (the text form of a big model takes seconds: checked below 64 kB only)
	return "r IS NULL OR octet_length(banditmodel_send(r)) > 65536 OR "
	  . "(r::text::banditmodel::text = r::text AND "
	  . "banditmodel_send(r::text::banditmodel) = banditmodel_send(r))"
	  if $rt eq 'banditmodel';
	return "r IS NULL OR (r::text::ope_state::text = r::text AND "
	  . "ope_state_send(r::text::ope_state) = ope_state_send(r))"
	  if $rt eq 'ope_state';
	return "r IS NULL OR (r::text::${rt}::text = r::text AND "
	  . "${rt}_send(r::text::${rt}) = ${rt}_send(r))"
	  if $table12{$rt};
	# the jsonb casts: an object (the text form); big ones are not re-read
	return "r IS NULL OR jsonb_typeof(r) = 'object'" if $rt eq 'jsonb';
	return "r IS NULL OR (SELECT bool_and(p IS NULL OR (p >= 0 AND p <= 1)) FROM unnest(r) p)"
	  if $n eq 'ope_holm';
	return "r IS NULL OR (r).std_error IS NULL OR ((r).std_error >= 0 AND (r).ci_lower <= (r).ci_upper)"
	  if $n eq 'ope_bootstrap_report' || $n eq 'ope_compare_report' || $n eq 'ope_tune';
	return "r IS NULL OR ((SELECT bool_and(p >= 0 AND p <= 1) FROM unnest(r) p) "
	  . "AND abs((SELECT sum(p) FROM unnest(r) p) - 1) < 1e-6)"
	  if $n eq 'bandit_probabilities';
	return "r IS NULL OR (r >= 0 AND r <= 1)" if $n eq 'bandit_probability';
	return "r IS NULL OR ((r).probability > 0 AND (r).probability <= 1)"
	  if $n eq 'bandit_act';
	return "r IS NULL OR (r).n >= 0" if $n eq 'ope_diagnostics';
	return "r IS NULL OR (r).n >= 0"  if $n eq 'bandit_arms';
	return "r IS NULL OR (r).std_error IS NULL OR ((r).std_error >= 0 AND (r).ci_lower <= (r).ci_upper)"
	  if $n eq 'ope_report';
	return 'true';
}

# Checks that need the call's own arguments (positional, constant ones).
sub argument_check
{
	my ($f, @args) = @_;
	my $n = $f->{name};
	return "r IS NULL OR cardinality(r) = $args[1]" if $n eq 'feature_hash' && @args == 2;
	return undef unless @args >= 3 && $args[2] !~ /^NULL/;
	return "r IS NULL OR cardinality(r) = cardinality($args[2])"
	  if $n eq 'bandit_scores' || $n eq 'bandit_probabilities';
	return "r IS NULL OR r = ANY($args[2])" if $n eq 'bandit_choose';
	return "r IS NULL OR (r).action = ANY($args[2])" if $n eq 'bandit_act';
	return undef;
}

sub wrap
{
	my ($f, $inner, $extra) = @_;
	my $text = 'r::text';
	$text = "CASE WHEN octet_length(banditmodel_send(r)) > 65536 THEN 'big' ELSE r::text END"
	  if $f->{rettype} eq 'banditmodel';
	$text = "CASE WHEN pg_column_size(r) > 65536 THEN 'big' ELSE r::text END"
	  if $f->{rettype} eq 'jsonb';
	my $check = result_check($f);
	$check = "($check) AND ($extra)" if defined $extra;
	return "SELECT string_agg($text, E'\\n'), bool_and($check) FROM ($inner) x";
}

sub gen_scalar_call
{
	my ($f) = @_;
	my %ctx;
	my @types = @{ $f->{types} };
	my @names = @{ $f->{names} };
	# a model first, so that the context and candidates can match it
	if ($f->{name} eq 'simulate_impressions')
	{
		my $m = pick(@models);
		$ctx{model} = $m;
	}
	my $nargs = @types;
	$nargs -= int(rand($f->{ndef} + 1)) if $f->{ndef} && chance(0.4);
	my @args;
	for my $i (0 .. $nargs - 1)
	{
		my $arg;
		if ($f->{name} eq 'simulate_impressions' && $names[$i] eq 'dim' && chance(0.5))
		{
			$arg = $ctx{model}{dim} . '::int4';
		}
		elsif ($f->{name} eq 'simulate_impressions' && $names[$i] eq 'logging_model' && chance(0.6))
		{
			$arg = "(SELECT m FROM rc_bm WHERE id = $ctx{model}{id})";
		}
		else
		{
			$arg = gen_arg($types[$i], $names[$i], \%ctx, $f);
		}
		push @args, $arg;
	}
	# Row mode: one call per row of a table, a different model or state on
	# each row (the per-call-site model and policy caches churn; stored values
	# are keyed by TOAST pointer, inline ones by their bytes).
	my $from = '';
	if (@types && $types[0] eq 'banditmodel' && !$f->{retset} && chance(0.2))
	{
		if (chance(0.5))
		{
			$args[0] = 'bm';
			$from = 'FROM rc_rows WHERE bm IS NOT NULL ORDER BY (id * 7919) % 101';
			for my $i (1 .. $#args)
			{
				$args[$i] = 'ctx' if $names[$i] eq 'context' && chance(0.8);
				$args[$i] = 'la'  if $names[$i] =~ /action/ && chance(0.5);
				$args[$i] = 'bm'  if $types[$i] eq 'banditmodel' && chance(0.5);
				$args[$i] = 'ARRAY[la, ta]' if $names[$i] eq 'candidates' && chance(0.3);
				$args[$i] = 'r'   if $names[$i] eq 'reward' && chance(0.5);
				$args[$i] = '(ARRAY[' . join(', ', map { gen_policy() } 1 .. 3) . '])[1 + id % 3]'
				  if $names[$i] =~ /policy/ && chance(0.5);
			}
		}
		else
		{
			$args[0] = 'm';
			# (not the dim-1024 model: its text form alone takes seconds)
			my @ids = grep { $_ != 13 && chance(0.5) } map { $_->{id} } @models;
			@ids = (1) unless @ids;
			$from = 'FROM rc_bm WHERE id IN (' . join(', ', @ids) . ') ORDER BY id DESC';
			for my $i (1 .. $#args)
			{
				$args[$i] = pick(
					'array_fill(0.5::float8, ARRAY[rc_dim(m)])',
					'ARRAY(SELECT sin(id * g)::float8 FROM generate_series(1, rc_dim(m)) g)')
				  if $names[$i] eq 'context' && chance(0.8);
				$args[$i] = 'm' if $types[$i] eq 'banditmodel' && chance(0.5);
			}
		}
	}
	elsif (@types && $types[0] eq 'ope_state' && chance(0.15))
	{
		if (chance(0.5))
		{
			$args[0] = pick('st', 'st_dr');
			$args[1] = pick('st', 'st_dr') if @types > 1 && $types[1] eq 'ope_state' && chance(0.5);
			$from = 'FROM rc_rows WHERE id < 300';
		}
		else
		{
			$args[0] = 's';
			$from = 'FROM rc_os';
		}
	}
	my ($call, $extra);
	if ($nargs == @types && @types && !grep { $_ eq '' } @names and chance(0.1))
	{    # named notation, shuffled, defaults possibly left out
		my @idx = grep { $_ < @types - $f->{ndef} || chance(0.5) } 0 .. $#types;
		@idx = shuffle(@idx);
		$call = "$f->{name}(" . join(', ', map { "\"$names[$_]\" => $args[$_]" } @idx) . ")";
	}
	else
	{
		$call = "$f->{name}(" . join(', ', @args) . ")";
		$extra = argument_check($f, @args) if $from eq '';
	}
	return wrap($f, "SELECT $call AS r $from") if $from ne '' && !$f->{retset};
	return wrap($f, "SELECT r FROM (SELECT $call AS r $from LIMIT 200) s") if $from ne '';
	if ($f->{retset})
	{
		return wrap($f, "SELECT r FROM (SELECT $call AS r LIMIT 40) s")
		  if $f->{name} eq 'simulate_impressions' || chance(0.5);
		return wrap($f, "SELECT t AS r FROM $call AS t LIMIT 40");
	}
	return wrap($f, "SELECT $call AS r", $extra);
}

sub gen_agg_call
{
	my ($f) = @_;
	my @types = @{ $f->{types} };
	my @names = @{ $f->{names} };
	my $args = join(', ', map { "c$_" } 0 .. $#types);
	my $mode = rand();
	if ($mode < 0.25)
	{    # a 6,000-row table, parallel, maybe grouped, maybe a constant swapped in
		my @cols = map {
			my $c = rc_column($types[$_], $names[$_]);
			(!defined $c || chance(0.1)) ? gen_arg($types[$_], $names[$_], {}, $f) : $c
		} 0 .. $#types;
		my $where = pick('', 'WHERE id % 3 = 0', 'WHERE id < 100', 'WHERE id % 2 = 1 AND bm IS NOT NULL', 'WHERE false');
		my $group = chance(0.3) ? 'GROUP BY id % 7' : '';
		my $call = "$f->{name}(" . join(', ', @cols) . ")";
		return wrap($f, "SELECT $call AS r FROM rc_rows $where $group");
	}
	# VALUES rows: a model chosen once for all rows, so that contexts match
	my %ctx;
	my $nrows = pick(0, 1, 1, 2, 3, 5, 8);
	my @rows;
	for my $i (1 .. ($nrows || 1))
	{
		my @vals = map { gen_arg($types[$_], $names[$_], \%ctx, $f) } 0 .. $#types;
		if ($f->{name} eq 'bandit_fit' && !$ctx{model})
		{
			$ctx{model} = pick(grep { $_->{dim} <= 16 } @models);
		}
		if ($f->{name} eq 'bandit_fit' && $ctx{model} && chance(0.8))
		{
			$vals[1] = gen_float_array($ctx{model}{dim});
		}
		push @rows, "($i, " . join(', ', @vals) . ")";
	}
	my $from = "(VALUES " . join(', ', @rows) . ") v(ord, $args)";
	$from .= ' WHERE false' if $nrows == 0;
	if ($mode < 0.4)
	{    # a window aggregate over a moving frame
		my $frame = pick(
			'ORDER BY ord',
			'ORDER BY ord ROWS BETWEEN 1 PRECEDING AND CURRENT ROW',
			'ORDER BY ord ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING',
			'');
		return wrap($f, "SELECT $f->{name}($args) OVER ($frame) AS r FROM $from");
	}
	if ($mode < 0.5)
	{
		return wrap($f,
			"SELECT $f->{name}($args ORDER BY ord DESC) FILTER (WHERE ord % 2 = 1) AS r FROM $from");
	}
	return wrap($f, "SELECT $f->{name}($args) AS r FROM $from");
}

# Calls that must fail with a 42xxx SQLSTATE (no such function).
sub gen_deliberate_call
{
	my ($f) = @_;
	my %ctx;
	my @args = map { gen_arg($f->{types}[$_], $f->{names}[$_], \%ctx, $f) } 0 .. $#{ $f->{types} };
	my $k = int(rand(3));
	if ($k == 0)
	{
		push @args, '1::int4';
	}
	elsif ($k == 1 && @args)
	{
		$args[ int(rand(@args)) ] = "'x'::text::point";
	}
	else
	{
		@args = ("'x'::text::point") x (@args + 2);
	}
	return wrap({ %$f, name => '', rettype => '' },
		"SELECT $f->{name}(" . join(', ', @args) . ") AS r");
}

my @calls;    # { id, f, sql, deliberate }
for my $f (@funcs)
{
	my $uncallable = grep { $_ eq 'internal' } @{ $f->{types} };
	my $n = int($base_calls * ($weight{ $f->{name} } // 1));
	$n = 5 if $uncallable;
	for (1 .. $n)
	{
		my ($sql, $deliberate);
		$call_mutated = 0;
		$cur_fname    = $f->{name};
		if ($uncallable || chance(0.03))
		{
			$sql        = $uncallable ? gen_scalar_call($f) : gen_deliberate_call($f);
			$deliberate = 1;
		}
		elsif ($f->{kind} eq 'a')
		{
			$sql = gen_agg_call($f);
		}
		else
		{
			$sql = gen_scalar_call($f);
		}
		push @calls,
		  {
			id => scalar(@calls),
			f => $f,
			sql => $sql,
			deliberate => $deliberate,
			mutated => $call_mutated,
			in_worker => chance(0.15)
		  };
	}
}
note(sprintf "%d calls generated (seed %d, %d from mutated text forms)",
	scalar @calls, $SEED, $n_mutated);
cmp_ok(scalar(@calls), '>=', 3000, 'thousands of calls');

# ---------------------------------------------------------------------------
# Run them: one psql session, one statement per call; after a crash, go on
# after the call that crashed.
# ---------------------------------------------------------------------------
# The stored sample values, to check afterwards that no call changed them
# (a function must never write into its pass-by-reference arguments).
my $digest_sql = q{
	SELECT md5(string_agg(ope_state_send(s)::text, ',' ORDER BY id)) FROM rc_os
	UNION ALL SELECT md5(string_agg(banditmodel_send(m)::text, ',' ORDER BY id)) FROM rc_bm
	UNION ALL SELECT md5(string_agg(concat(ope_state_send(st), ope_state_send(st_dr), banditmodel_send(bm)), ',' ORDER BY id)) FROM rc_rows};
my $digest_before = $node->safe_psql('postgres', $digest_sql);

my $tag = '$rcq$';
my $preamble = join("\n",
	'SET client_min_messages = warning;', "SET statement_timeout = '15s';",
	'SET parallel_setup_cost = 0;', 'SET parallel_tuple_cost = 0;',
	'SET min_parallel_table_scan_size = 0;', 'SET max_parallel_workers_per_gather = 2;',
	'');
my %outcome;    # id -> [kind, sqlstate or flags, text]
my %elapsed;    # id -> milliseconds
my @crashes;
my $next = 0;
my $t_run = time;
while ($next < @calls)
{
	my $script = $preamble;
	for my $c (@calls[ $next .. $#calls ])
	{
		die "tag inside a query" if index($c->{sql}, $tag) >= 0;
		$script .= "SELECT rc_run($c->{id}, $tag$c->{sql}$tag, "
		  . ($c->{in_worker} ? 'true' : 'false') . ");\n";
	}
	# from a file, not stdin: psql stops reading when its backend dies
	my $file = $node->basedir . '/calls.sql';
	open(my $fh, '>', $file) or die "cannot write $file: $!";
	print $fh $script;
	close $fh;
	my ($out, $err) = ('', '');
	eval {
		$node->psql(
			'postgres', '',
			stdout => \$out,
			stderr => \$err,
			on_error_stop => 0,
			extra_params => [ '-q', '-v', 'VERBOSITY=sqlstate', '-f', $file ]);
	};
	$err .= $@ if $@;
	my $last = $next - 1;
	for my $line (split /\n/, $out)
	{
		my ($id, $ms, $kind, @rest) = split /\t/, $line, -1;
		next unless defined $kind && $id =~ /^\d+$/;
		$outcome{$id} = [ $kind, @rest ];
		$elapsed{$id} = $ms;
		$last = $id if $id > $last;
	}
	# ids psql lost without a crash (an error rc_run could not catch)
	for my $id ($next .. $last)
	{
		$outcome{$id} //= [ 'E', 'uncaught', (split /\n/, $err)[0] // '' ];
	}
	last if $last >= $#calls;
	# the call after the last answered one lost the connection
	my $bad = $last + 1;
	push @crashes, $bad;
	$outcome{$bad} = [ 'C', 'crash', '' ];
	diag("connection lost at call $bad: $calls[$bad]{f}{label}\n  $calls[$bad]{sql}\n  psql: "
		  . substr($err, 0, 400));
	$node->poll_query_until('postgres', 'SELECT true')
	  or die 'the server did not come back after a crash';
	$next = $bad + 1;
	last if @crashes > 30;
}
my $t_calls = time - $t_run;

# RANDOM_CALLS_DUMP=file: every call and its outcome, one per line.
if ($ENV{RANDOM_CALLS_DUMP})
{
	open(my $fh, '>', $ENV{RANDOM_CALLS_DUMP}) or die "cannot write $ENV{RANDOM_CALLS_DUMP}: $!";
	for my $c (@calls)
	{
		my $o = $outcome{ $c->{id} } // [];
		print $fh join("\t", $c->{id}, $elapsed{ $c->{id} } // '', $c->{f}{label}, @$o, $c->{sql}), "\n";
	}
	close $fh;
}

# ---------------------------------------------------------------------------
# Verdicts.
# ---------------------------------------------------------------------------
my (%per_func, @bad);
for my $c (@calls)
{
	my $o = $outcome{ $c->{id} } // [ 'E', 'missing', '' ];
	my ($kind, $x1, $x2, $x3) = @$o;
	my $label = $c->{f}{label};
	my $s = $per_func{$label} //= {};
	my $verdict;
	if ($kind eq 'R')
	{
		# x1, x2, x3 = null|value|nonfinite, invariant (true|false|null), text
		if ($x1 eq 'nonfinite')
		{
			$verdict = "result holds NaN or Infinity: $x3";
		}
		elsif ($x2 eq 'false')
		{
			$verdict = "result fails its invariant: $x3";
		}
		else
		{
			$s->{ $x1 eq 'null' ? 'null' : 'value' }++;
		}
	}
	elsif ($kind eq 'E')
	{
		my $state = $x1;
		$s->{"E$state"}++;
		if ($state =~ /^22/ || $state eq '54000')
		{
		}
		elsif ($state =~ /^42/ && $c->{deliberate})
		{
		}
		else
		{
			$verdict = "ERROR $state: $x2";
		}
	}
	else
	{
		$s->{crash}++;
		$verdict = 'backend crashed (or the connection was lost)';
	}
	push @bad, [ $c, $verdict ] if defined $verdict;
}

for my $label (sort keys %per_func)
{
	my $s = $per_func{$label};
	note(sprintf "%-90s %s", $label,
		join(' ', map { "$_=$s->{$_}" } sort keys %$s));
}
my %total;
for my $s (values %per_func) { $total{$_} += $s->{$_} for keys %$s; }
note('total: ' . join(' ', map { "$_=$total{$_}" } sort keys %total));
{
	my @m = grep { $_->{mutated} } @calls;
	my %mo;
	for my $c (@m)
	{
		my $o = $outcome{ $c->{id} } // ['?'];
		my $k = $o->[0] eq 'R' ? 'result' : $o->[0] eq 'E' ? "E$o->[1]" : 'crash';
		$mo{$k}++;
	}
	note(sprintf 'calls with a mutated ope_state/banditmodel literal: %d (%s)', scalar @m,
		join(' ', map { "$_=$mo{$_}" } sort keys %mo));
}
note(sprintf 'calls ran in %.1f s; the slowest:', $t_calls);
for my $id ((sort { $elapsed{$b} <=> $elapsed{$a} } keys %elapsed)[ 0 .. 4 ])
{
	my ($inner) = $calls[$id]{sql} =~ /\) FROM \((.*)\) x$/s;
	note(sprintf '  %6d ms  %s  %s', $elapsed{$id}, $calls[$id]{f}{label},
		substr($inner // $calls[$id]{sql}, 0, 400));
}

# Re-run each crashing call alone: does it crash by itself?
for my $id (@crashes)
{
	my $c = $calls[$id];
	my ($ret, $out, $err) = $node->psql('postgres', $c->{sql});
	diag(sprintf "crash reproducer (%s alone): %s\n  %s",
		($ret == 2 ? 'crashes again' : "exit $ret"), $c->{f}{label}, $c->{sql});
	$node->poll_query_until('postgres', 'SELECT true');
}

my $shown = 0;
for my $bd (@bad)
{
	last if ++$shown > 40;
	diag("call $bd->[0]{id} $bd->[0]{f}{label}: $bd->[1]\n  $bd->[0]{sql}");
}
is(scalar(@crashes), 0, 'no call crashed the backend');
is(scalar(@bad), 0, 'every call returned a finite, consistent result or an expected SQLSTATE');
is($node->safe_psql('postgres', 'SELECT 1'), '1', 'the server answers afterwards');
is($node->safe_psql('postgres', $digest_sql), $digest_before,
	'the stored models and states are unchanged');
my $log = slurp_file($node->logfile);
ok($log !~ /terminated by signal|server process .* was terminated|PANIC|TRAP:/,
	'server log: no backend terminated by a signal, no PANIC');
note(sprintf 'total runtime %.1f s', time - $t_start);

$node->stop;
done_testing();
