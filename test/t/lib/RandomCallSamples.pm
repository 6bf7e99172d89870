# The sample values the random calls of TAP 160 draw from, in the node's
# postgres database: fitted models (rc_bm: small, extreme, dim 1024, 2000
# arms, no arms), accumulated states (rc_os, rc_bs bootstrap, rc_ps paired:
# empty, one row, extreme, a version-1 one), extreme but accepted states and
# models, and a 6,000-row table (rc_rows) for aggregates with parallel
# plans; their text forms read back; the functions under test read from the
# catalog; and a digest of the stored values (no call may change them).
package RandomCallSamples;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK = qw(create_samples read_samples extension_functions samples_digest);

my $samples_sql = q{
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
};

# Create the extension and the samples.
sub create_samples
{
	my ($node) = @_;
	$node->safe_psql('postgres', $samples_sql);
}

# Models (id, dim, arms, text form when short), ope_states (id, text) and
# the 1.2 states by table (states12 => { rc_bs => [...], rc_ps => [...] }).
sub read_samples
{
	my ($node) = @_;
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
	return { models => \@models, states => \@states, states12 => \%states12 };
}

# The extension's functions and aggregates but the scheduled jobs, in a fixed
# order: { oid, name, kind, retset, rettype, ndef, types, names, label }.
sub extension_functions
{
	my ($node) = @_;
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
	return \@funcs;
}

# A digest of the stored sample values.
sub samples_digest
{
	my ($node) = @_;
	return $node->safe_psql(
		'postgres', q{
	SELECT md5(string_agg(ope_state_send(s)::text, ',' ORDER BY id)) FROM rc_os
	UNION ALL SELECT md5(string_agg(banditmodel_send(m)::text, ',' ORDER BY id)) FROM rc_bm
	UNION ALL SELECT md5(string_agg(concat(ope_state_send(st), ope_state_send(st_dr), banditmodel_send(bm)), ',' ORDER BY id)) FROM rc_rows});
}

1;
