# The policies of API.md section 2 against an independent implementation in
# numpy (060_policies_vs_numpy.py, run with Debian's /usr/bin/python3):
#  1. a seeded random log of 5,000 weighted rows (six arms, dimension 4, a
#     few NULL rewards) is fitted with bandit_fit and exported with COPY;
#     numpy recomputes A, b and theta = (lambda I + A)^-1 b per arm and the
#     means, LinUCB scores and greedy, epsilon-greedy, softmax, linucb and
#     uniform probabilities at 51 contexts, 5 candidate sets (all arms,
#     subsets, unseen arms with their ridge prior, an exact tie between two
#     unseen arms) and two ridges: agreement to 1e-9 relative;
#  2. Thompson probabilities for 10 contexts and 3 to 8 candidates (unseen
#     ones included) against 2e6 Monte Carlo draws (5 binomial standard
#     errors and 2e-3 absolute) and a trapezoid rule (1e-6 absolute);
#  3. bandit_choose frequencies over seeds 1..50,000 under softmax and
#     Thompson within 5 standard errors of bandit_probabilities, and
#     bandit_act = (bandit_choose, its probability) seed by seed;
#  4. on the log repeated 40 times, a fit in two parallel workers (Partial
#     Aggregate, serialize, combine of two non-empty states) gives the serial
#     fit's means and LinUCB scores to 1e-12 relative, and the serial fit
#     gives numpy's (A and b times 40) to 1e-9.
# Plus: bandit_arms against numpy's counts and sums, bandit_probability and
# the defaults (NULL candidates = all arms ascending, greedy) against
# bandit_probabilities, and seeded choices repeated in another session.
# "Relative" is relative to max(|expected|, sum_i |theta_i x_i|), the size of
# the terms of the dot product; probabilities are strictly relative, so an
# exact 0 or 1 must be matched exactly.
use strict;
use warnings;

use FindBin;
use IPC::Run;
use JSON::PP;
use List::Util qw(max sum);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $python = '/usr/bin/python3';
plan skip_all => "$python with numpy is not available (Debian: python3-numpy)"
  unless -x $python && system("$python -c 'import numpy' >/dev/null 2>&1") == 0;

my $node = PostgreSQL::Test::Cluster->new('policies_numpy');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');

my $serial = 'SET max_parallel_workers_per_gather = 0;';
my $parallel = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
	SET max_parallel_workers_per_gather = 2;';

# ---- the log and the model ---------------------------------------------------

# Six arms (arm 6 rare), true reward linear in x = (1, u1, u2, u3) plus
# noise, weights in [0.25, 2] with 1% zero weights, and a NULL reward in
# rows 7, 1007, ... (skipped by bandit_fit and by the reference).
$node->safe_psql(
	'postgres', q{
	SELECT setseed(0.0606);
	CREATE TABLE log AS
	WITH u AS (
	    SELECT i, random() AS ra, random() AS r1, random() AS r2, random() AS r3,
	           random() AS n1, random() AS n2, random() AS n3, random() AS rw
	    FROM generate_series(1, 5000) i),
	t(action, t0, t1, t2, t3) AS (VALUES
	    (1, -0.30, 0.40, -0.20, 0.10), (2, -0.25, -0.30, 0.35, 0.00),
	    (3, -0.40, 0.10, 0.10, 0.45), (4, -0.20, 0.00, -0.40, -0.25),
	    (5, -0.35, 0.25, 0.25, -0.30), (6, -0.28, -0.15, -0.05, 0.30)),
	r AS (
	    SELECT i, CASE WHEN ra < 0.02 THEN 6
	                   ELSE least(5, 1 + floor((ra - 0.02) / 0.98 * 5)) END::int8 AS action,
	           ARRAY[1.0, 3 * r1 - 1.5, 3 * r2 - 1.5, 3 * r3 - 1.5]::float8[] AS context,
	           0.6 * (n1 + n2 + n3 - 1.5) AS noise,
	           CASE WHEN rw < 0.01 THEN 0 ELSE 0.25 + 1.75 * rw END AS weight
	    FROM u)
	SELECT r.i AS id, r.action, r.context,
	       CASE WHEN r.i % 1000 = 7 THEN NULL
	            ELSE t.t0 + t.t1 * r.context[2] + t.t2 * r.context[3]
	                 + t.t3 * r.context[4] + r.noise END AS reward,
	       r.weight
	FROM r JOIN t USING (action) ORDER BY r.i;
	ANALYZE log;});
is($node->safe_psql('postgres', 'SELECT count(*), count(DISTINCT action), count(reward) FROM log'),
	'5000|6|4995', 'log: 5000 rows, 6 arms, 5 NULL rewards');

my $fit = 'SELECT bandit_fit(action, context, reward, weight) AS model FROM log';
my $plan = $node->safe_psql('postgres',
	"$serial EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE fit_serial AS $fit");
unlike($plan, qr/Gather|Partial/, 'serial fit: no parallel plan');

my $csv = $node->basedir . '/log.csv';
$node->safe_psql('postgres', "COPY log TO '$csv' WITH (FORMAT csv)");

# ---- the numpy reference ------------------------------------------------------

my ($json, $stderr);
my $started = time;
IPC::Run::run([ $python, "$FindBin::Bin/060_policies_vs_numpy.py", $csv ],
	'>', \$json, '2>', \$stderr)
  or BAIL_OUT("the numpy reference failed: $stderr");
my $ref = decode_json($json);
note(sprintf('numpy reference: %d s, %d near-tie contexts redrawn',
		time - $started, $ref->{rejected_contexts}));

# SQL text of a literal (contexts and candidate sets are plain array literals).
sub lit
{
	my ($v, $type) = @_;
	return defined $v ? "'$v'::$type" : "NULL::$type";
}

sub parse_array
{
	my ($text) = @_;
	$text =~ s/^\{|\}$//g;
	return [ split /,/, $text ];
}

# |got - exp| <= tol * max(|exp|, mag), or <= tol when $absolute; an
# undefined or empty got never matches.  The largest error (relative, or
# absolute) seen since the last report is kept in $worst.
my $worst = 0;

sub close_to
{
	my ($got, $exp, $tol, $mag, $absolute) = @_;
	return 0 unless defined $got && defined $exp && $got ne '' && $got ne 'NaN';
	my $scale = $absolute ? 1 : max(abs($exp), $mag // 0);
	my $err = abs($got - $exp);
	$worst = max($worst, $scale > 0 ? $err / $scale : $err > 0 ? 9**9**9 : 0);
	return $err <= $tol * $scale;
}

# Count and show (up to 8) mismatches of one check, then assert none.
sub report
{
	my ($label, $bad) = @_;
	diag("$label: $_") for @$bad[ 0 .. (@$bad > 8 ? 7 : $#$bad) ];
	note(sprintf('%s: largest error %.3g', $label, $worst)) if $worst > 0;
	$worst = 0;
	is(scalar(@$bad), 0, $label);
}

my $ctx_values =
  join(",\n", map { "($_, " . lit($ref->{contexts}[$_], 'float8[]') . ')' }
	  0 .. $#{ $ref->{contexts} });
my $cs_values = join(",\n",
	map { "($_, " . lit($ref->{cand_sets}[$_], 'int8[]') . ')' } 0 .. $#{ $ref->{cand_sets} });

# ---- 0. the sufficient statistics, through bandit_arms --------------------------

{
	my @bad;
	my @rows = split /\n/,
	  $node->safe_psql('postgres',
		'SELECT a.* FROM fit_serial, bandit_arms(model) a ORDER BY action');
	is(scalar(@rows), scalar(@{ $ref->{arms} }), 'bandit_arms: one row per arm');
	foreach my $i (0 .. $#rows)
	{
		my ($action, $n, $w, $mr) = split /\|/, $rows[$i];
		my $e = $ref->{arms}[$i] // {};
		push @bad, "arm $action: got ($n, $w, $mr), numpy ($e->{action}, $e->{n}, $e->{weight}, $e->{mean_reward})"
		  unless ($e->{action} // -1) == $action
		  && $e->{n} == $n
		  && close_to($w, $e->{weight}, 1e-12)
		  && close_to($mr, $e->{mean_reward}, 1e-9);
	}
	report('bandit_arms: n, sum of weights and weighted mean reward as numpy', \@bad);
}

# ---- 1. predictions, scores and probabilities -----------------------------------

{
	my @bad;
	my %got = map { my ($c, $a, $r, $v) = split /\|/; ("$c|$a|$r" => $v) } split /\n/,
	  $node->safe_psql(
		'postgres', qq{
		WITH ctx(ci, x) AS (VALUES $ctx_values)
		SELECT ci, a, 1, bandit_predict(model, x, a) FROM fit_serial, ctx, unnest('{1,2,3,4,5,6,100}'::int8[]) a
		UNION ALL
		SELECT ci, a, 2.5, bandit_predict(model, x, a, 2.5) FROM fit_serial, ctx, unnest('{1,2,3,4,5,6,100}'::int8[]) a});
	foreach my $p (@{ $ref->{predictions} })
	{
		my $key = "$p->{context}|$p->{action}|$p->{ridge}";
		push @bad, "predict $key: got " . ($got{$key} // 'no row') . ", numpy $p->{mean}"
		  unless close_to($got{$key}, $p->{mean}, 1e-9, $p->{mag});
	}
	is(scalar(keys %got), scalar(@{ $ref->{predictions} }), 'bandit_predict: one row per case');
	report('bandit_predict equals theta^T x of numpy (ridge 1 and 2.5, unseen arm 0)', \@bad);
}

my @policies = do
{
	my %seen;
	grep { !$seen{$_}++ } map { $_->{policy} } @{ $ref->{cases} };
};
my $pol_values = join(', ', map { "('$_')" } @policies);
my %case_rows = map { my ($c, $s, $p, $sc, $pr) = split /\|/; ("$c|$s|$p" => [ $sc, $pr ]) }
  split /\n/,
  $node->safe_psql(
	'postgres', qq{
	WITH ctx(ci, x) AS (VALUES $ctx_values), cs(si, c) AS (VALUES $cs_values),
	     pol(p) AS (VALUES $pol_values)
	SELECT ci, si, p, bandit_scores(model, x, c, p), bandit_probabilities(model, x, c, p)
	FROM fit_serial, ctx, cs, pol});
is(scalar(keys %case_rows), scalar(@{ $ref->{cases} }), 'one row per (context, candidates, policy)');
{
	my (@bad_scores, @bad_probs, @bad_sums);
	my %ties;
	foreach my $case (@{ $ref->{cases} })
	{
		my $key = "$case->{context}|$case->{cands}|$case->{policy}";
		my ($sc, $pr) = @{ $case_rows{$key} // [ '{}', '{}' ] };
		my @sc = @{ parse_array($sc) };
		my $k = @{ $case->{scores} };
		push @bad_scores, "$key: got $sc, numpy [@{$case->{scores}}]"
		  unless @sc == $k
		  && !grep { !close_to($sc[$_], $case->{scores}[$_], 1e-9, $case->{mags}[$_]) } 0 .. $k - 1;
		$case->{got_probs} = $pr;
	}
	report('bandit_scores equal numpy (means; mean + alpha sqrt(x^T (lambda I + A)^-1 x) for linucb)',
		\@bad_scores);
	foreach my $case (@{ $ref->{cases} })
	{
		my $key = "$case->{context}|$case->{cands}|$case->{policy}";
		my $pr = $case->{got_probs};
		my @pr = @{ parse_array($pr) };
		my $k = @{ $case->{probs} };
		push @bad_probs, "$key: got $pr, numpy [@{$case->{probs}}]"
		  unless @pr == $k
		  && !grep { !close_to($pr[$_], $case->{probs}[$_], 1e-9) } 0 .. $k - 1;
		push @bad_sums, "$key: probabilities $pr sum to " . sum(0, @pr)
		  unless @pr && abs(sum(@pr) - 1) <= 1e-12;
		$ties{ $case->{policy} }++ if grep { $_ == 0.5 } @{ $case->{probs} };
	}
	report('bandit_probabilities equal numpy (greedy, epsilon_greedy, softmax, linucb, uniform)',
		\@bad_probs);
	report('bandit_probabilities sum to 1', \@bad_sums);
	ok($ties{greedy} && $ties{'linucb(alpha=0.7)'}, 'exact ties between unseen arms were exercised')
	  or diag(explain \%ties);
}

# Defaults (all arms ascending, greedy) and bandit_probability, against the
# arrays just checked.
is( $node->safe_psql(
		'postgres', qq{
	WITH ctx(ci, x) AS (VALUES $ctx_values), cs(si, c) AS (VALUES $cs_values),
	     pol(p) AS (VALUES $pol_values),
	     e AS (SELECT x, c, p, bandit_probabilities(model, x, c, p) AS pr, model
	           FROM fit_serial, ctx, cs, pol)
	SELECT count(*) FILTER (WHERE bandit_probability(model, x, c, a, p) IS DISTINCT FROM pr[o]),
	       count(*) FILTER (WHERE bandit_probability(model, x, c, 999, p) IS DISTINCT FROM 0::float8),
	       count(*)
	FROM e, unnest(coalesce(c, '{1,2,3,4,5,6}')) WITH ORDINALITY u(a, o)}),
	'0|0|' . (scalar(@{ $ref->{contexts} }) * scalar(@policies) * (6 + 6 + 3 + 4 + 4)),
	'bandit_probability equals the element of bandit_probabilities; 0 for a non-candidate');
is( $node->safe_psql(
		'postgres', qq{
	WITH ctx(ci, x) AS (VALUES $ctx_values)
	SELECT count(*) FILTER (WHERE bandit_scores(model, x) IS DISTINCT FROM
	                              bandit_scores(model, x, '{1,2,3,4,5,6}', 'greedy')
	                           OR bandit_probabilities(model, x) IS DISTINCT FROM
	                              bandit_probabilities(model, x, '{1,2,3,4,5,6}', 'greedy'))
	FROM fit_serial, ctx}),
	'0', 'NULL candidates and the default policy: all arms ascending, greedy');

# ---- 2. Thompson sampling ---------------------------------------------------------

{
	my (@bad_int, @bad_mc, @bad_sum);
	my $max_z = 0;
	foreach my $t (@{ $ref->{thompson} })
	{
		my $label = "$t->{policy} at $t->{context}, candidates $t->{cands}";
		my @p = @{ parse_array(
				$node->safe_psql(
					'postgres',
					'SELECT bandit_probabilities(model, '
					  . lit($t->{context}, 'float8[]') . ', '
					  . lit($t->{cands}, 'int8[]')
					  . ", '$t->{policy}') FROM fit_serial")) };
		my $k = @{ $t->{integral} };
		my $n = $t->{draws};
		if (@p != $k)
		{
			push @bad_int, "$label: got " . scalar(@p) . " probabilities for $k candidates";
			next;
		}
		push @bad_sum, "$label: sum " . sum(@p) unless abs(sum(@p) - 1) <= 1e-12;
		foreach my $i (0 .. $k - 1)
		{
			my $int = $t->{integral}[$i];
			my $freq = $t->{counts}[$i] / $n;
			my $se = sqrt($p[$i] * (1 - $p[$i]) / $n);
			push @bad_int, "$label, arm $i: got $p[$i], trapezoid $int"
			  unless close_to($p[$i], $int, 1e-6, 0, 1);
			$max_z = max($max_z, abs($freq - $p[$i]) / $se) if $se > 0;
			push @bad_mc,
			  sprintf('%s, arm %d: got %.6f, Monte Carlo %.6f (%.1f standard errors)',
				$label, $i, $p[$i], $freq, $se > 0 ? abs($freq - $p[$i]) / $se : 0)
			  unless abs($freq - $p[$i]) <= 5 * $se + 1e-12
			  && abs($freq - $p[$i]) < 2e-3;
		}
	}
	report('thompson: probabilities equal the trapezoid rule to 1e-6', \@bad_int);
	note(sprintf('Monte Carlo: largest deviation %.2f standard errors', $max_z));
	report('thompson: probabilities agree with 2e6 Monte Carlo draws (5 SE, 2e-3)', \@bad_mc);
	report('thompson: probabilities sum to 1', \@bad_sum);
}

# ---- 3. seeded choices --------------------------------------------------------------

{
	my $c = $ref->{choice};
	my $x = lit($c->{context}, 'float8[]');
	my $cands = lit($c->{cands}, 'int8[]');
	my $nseeds = 50000;
	foreach my $pi (0 .. $#{ $c->{policies} })
	{
		my $pol = $c->{policies}[$pi];
		my @p = @{ parse_array(
				$node->safe_psql('postgres',
					"SELECT bandit_probabilities(model, $x, $cands, '$pol') FROM fit_serial")) };
		my @ids = @{ parse_array($c->{cands}) };
		my @bad = map {
			close_to($p[$_], $c->{probabilities}[$pi][$_], 1e-9)
			  ? ()
			  : "candidate $ids[$_]: $p[$_] vs numpy $c->{probabilities}[$pi][$_]"
		} 0 .. $#ids;
		report("$pol: choice context probabilities as numpy", \@bad);

		# One pass over the seeds: bandit_act, bandit_choose, frequencies.
		my ($counts, $act_bad, $prob_bad) = split /\|/,
		  $node->safe_psql(
			'postgres', qq{
			WITH pr AS (SELECT bandit_probabilities(model, $x, $cands, '$pol') AS p, model FROM fit_serial),
			d AS (
			    SELECT s, a.action, a.probability,
			           bandit_choose(pr.model, $x, $cands, '$pol', s) AS chosen,
			           pr.p[array_position($cands, a.action)] AS p_action
			    FROM pr, generate_series(1, $nseeds) s,
			         LATERAL bandit_act(pr.model, $x, $cands, '$pol', s) a)
			SELECT (SELECT string_agg(action || ':' || n, ' ' ORDER BY action)
			        FROM (SELECT chosen AS action, count(*) AS n FROM d GROUP BY 1) g),
			       count(*) FILTER (WHERE action IS DISTINCT FROM chosen),
			       count(*) FILTER (WHERE probability IS DISTINCT FROM p_action)
			FROM d});
		is($act_bad, '0', "$pol: bandit_act chooses as bandit_choose for seeds 1..$nseeds");
		is($prob_bad, '0', "$pol: bandit_act's probability is bandit_probabilities' of its action");
		my %n = map { split /:/ } split / /, $counts;
		@bad = ();
		foreach my $i (0 .. $#ids)
		{
			my $freq = ($n{ $ids[$i] } // 0) / $nseeds;
			my $se = sqrt($p[$i] * (1 - $p[$i]) / $nseeds);
			push @bad, sprintf('candidate %s: frequency %.5f, probability %.5f (%.1f SE)',
				$ids[$i], $freq, $p[$i], $se > 0 ? abs($freq - $p[$i]) / $se : 0)
			  unless abs($freq - $p[$i]) <= 5 * $se;
			delete $n{ $ids[$i] };
		}
		push @bad, "chose non-candidates: @{[ %n ]}" if %n;
		note("$pol: counts $counts over $nseeds seeds, probabilities @p");
		report("$pol: bandit_choose frequencies over seeds 1..$nseeds within 5 SE", \@bad);
		my $q = "SELECT string_agg(bandit_choose(model, $x, $cands, '$pol', s)::text, ',' ORDER BY s)
			FROM fit_serial, generate_series(-1000, 1000) s";
		is($node->safe_psql('postgres', $q), $node->safe_psql('postgres', $q),
			"$pol: a seeded choice is the same in another session");
	}
}

# ---- 4. parallel fit ------------------------------------------------------------------

# The log repeated 40 times (200,000 rows), so that both workers scan rows
# and the combine function merges two non-empty partial states.
my $copies = $ref->{copies};
$node->safe_psql(
	'postgres', "CREATE TABLE log_big AS
	SELECT l.* FROM generate_series(1, $copies) g, log l ORDER BY g, l.id; ANALYZE log_big;");
(my $fit_big = $fit) =~ s/FROM log$/FROM log_big/;
$plan = $node->safe_psql('postgres',
	"$serial EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) CREATE TABLE big_serial AS $fit_big");
unlike($plan, qr/Gather|Partial/, 'serial fit of the repeated log: no parallel plan');
# A worker that starts late may find the scan done: then fit again (up to
# three times) so that the combine function does merge two partial fits.
my @worker_rows;
foreach my $attempt (1 .. 3)
{
	$plan = $node->safe_psql('postgres',
		"$parallel EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF)
		 CREATE TABLE big_parallel AS $fit_big");
	my ($scan) = $plan =~ /(Parallel Seq Scan.*)/s;
	@worker_rows = ($scan // '') =~ /Worker \d+:\s+actual rows=(\d+)/g;
	last if @worker_rows == 2 && !grep { $_ == 0 } @worker_rows;
	note("attempt $attempt: rows per worker @worker_rows");
	$node->safe_psql('postgres', 'DROP TABLE big_parallel') if $attempt < 3;
}
like($plan, qr/Partial Aggregate/, 'parallel fit: Partial Aggregate in the plan');
like($plan, qr/Workers Launched: 2/, 'parallel fit: two workers launched') or diag($plan);
ok( @worker_rows == 2 && !grep({ $_ == 0 } @worker_rows) && sum(@worker_rows) == 5000 * $copies,
	'parallel fit: each worker aggregated part of the rows (' . join(' + ', @worker_rows) . ')')
  or diag($plan);
{
	my %exp = map { ("$_->{context}|$_->{action}|$_->{ridge}" => $_) } @{ $ref->{big} };
	my (@bad_numpy, @bad_mean, @bad_ucb);
	my @rows = split /\n/,
	  $node->safe_psql(
		'postgres', qq{
		WITH ctx(ci, x) AS (VALUES $ctx_values),
		     pol(r, p) AS (VALUES (1, 'linucb(alpha=0.7)'), (2.5, 'linucb(alpha=0.7, ridge=2.5)'))
		SELECT ci, a, r, bandit_predict(s.model, x, a, r), bandit_predict(f.model, x, a, r),
		       (bandit_scores(s.model, x, ARRAY[a], p))[1], (bandit_scores(f.model, x, ARRAY[a], p))[1]
		FROM big_serial s, big_parallel f, ctx, pol, unnest('{1,2,3,4,5,6,100}'::int8[]) a});
	is(scalar(@rows), scalar(@{ $ref->{big} }), 'repeated log: one row per (context, arm, ridge)');
	foreach (@rows)
	{
		my ($c, $a, $r, $ms, $mp, $us, $up) = split /\|/;
		my $e = $exp{"$c|$a|$r"} // {};
		push @bad_numpy, "context $c, arm $a, ridge $r: serial ($ms, $us), numpy ($e->{mean}, $e->{ucb})"
		  unless close_to($ms, $e->{mean}, 1e-9, $e->{mag})
		  && close_to($us, $e->{ucb}, 1e-9, $e->{ucb_mag});
	}
	report('repeated log, serial fit: means and LinUCB scores equal numpy', \@bad_numpy);
	foreach (@rows)
	{
		my ($c, $a, $r, $ms, $mp) = split /\|/;
		push @bad_mean, "context $c, arm $a, ridge $r: serial $ms, parallel $mp"
		  unless close_to($mp, $ms, 1e-12, $exp{"$c|$a|$r"}{mag});
	}
	report('parallel fit: predictions equal the serial fit to 1e-12', \@bad_mean);
	foreach (@rows)
	{
		my ($c, $a, $r, $ms, $mp, $us, $up) = split /\|/;
		push @bad_ucb, "context $c, arm $a, ridge $r: serial $us, parallel $up"
		  unless close_to($up, $us, 1e-12, $exp{"$c|$a|$r"}{ucb_mag});
	}
	report('parallel fit: LinUCB scores (covariances) equal the serial fit to 1e-12', \@bad_ucb);
	is( $node->safe_psql(
			'postgres', q{
		SELECT count(*) FROM big_serial s, big_parallel p, bandit_arms(s.model) a
		JOIN bandit_arms(p.model) b USING (action)
		WHERE a.n = b.n AND abs(a.weight - b.weight) <= 1e-12 * a.weight}),
		'6', 'parallel fit: same arms, counts and weights');
}

$node->stop;
done_testing();
