# Clipping, switching and shrinkage (API.md section 4) on real exploration
# logs: the Open Bandit Dataset sample in ../shared/data/obd, logged by
# ZOZOTOWN's Bernoulli Thompson sampling (so weights are heavy) and by
# uniform random exploration.  Every lambda estimator and its standard error
# is recomputed independently in numeric SQL from the Open Bandit Pipeline's
# published per-row definitions (obp.ope.estimators: InverseProbability-
# Weighting, DoublyRobust with lambda_, SwitchDoublyRobust,
# DoublyRobustWithShrinkage), with lambda = 10, to 1e-12 relative; the rows
# with w > lambda are counted the same way.  Skips when the data is absent.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $data = $ENV{ARTBANDIT_DATA} // '';
plan skip_all => 'ARTBANDIT_DATA does not point at the shared data (../shared/data)'
  unless $data ne '' && -d "$data/obd";

my $node = PostgreSQL::Test::Cluster->new('obd_lambda');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION close_to(ours float8, exact numeric, tol numeric) RETURNS bool
	LANGUAGE sql IMMUTABLE AS $$ SELECT abs(ours::numeric - exact) <= tol * abs(exact) $$});

my %logs = (
	bts_men      => ["$data/obd/bts/men/men.csv",        34],
	bts_women    => ["$data/obd/bts/women/women.csv",    46],
	random_women => ["$data/obd/random/women/women.csv", 46]);

foreach my $name (sort keys %logs)
{
	my ($file, $k) = @{ $logs{$name} };

	# The log, a stochastic target (half on an item chosen from the user's
	# first feature and the slot, half uniform) and a reward model: each
	# item's click rate in the log, so q = its rate, v = 0.5 q(target) +
	# 0.5 mean q.  Every input is also kept as exact numeric text.
	$node->safe_psql(
		'postgres', qq{
		CREATE TABLE raw_$name (line text);
		COPY raw_$name FROM '$file' WITH (FORMAT text, DELIMITER E'\\x01');
		CREATE TABLE $name AS
		SELECT split_part(line, ',', 3)::int8 AS item_id,
		       split_part(line, ',', 4)::int AS position,
		       split_part(line, ',', 5)::int AS click,
		       split_part(line, ',', 6)::float8 AS propensity,
		       split_part(line, ',', 6)::numeric AS mu_exact,
		       split_part(line, ',', 7) AS user_feature_0
		FROM raw_$name WHERE line NOT LIKE ',timestamp%';
		ALTER TABLE $name ADD COLUMN target int8, ADD COLUMN pi float8, ADD COLUMN q float8, ADD COLUMN v float8;
		UPDATE $name SET target = (abs(hashtext(user_feature_0)) + 7 * position) % $k;
		UPDATE $name SET pi = CASE WHEN item_id = target THEN 0.5 ELSE 0 END + 0.5 / $k;
		CREATE TABLE rate_$name AS SELECT item_id, avg(click)::float8 AS q FROM $name GROUP BY item_id;
		UPDATE $name l SET q = coalesce((SELECT q FROM rate_$name r WHERE r.item_id = l.item_id), 0),
		                   v = 0.5 * coalesce((SELECT q FROM rate_$name r WHERE r.item_id = l.target), 0)
		                       + 0.5 * (SELECT sum(q) FROM rate_$name) / $k;});

	my $heavy = $node->safe_psql('postgres',
		"SELECT count(*) FROM $name WHERE pi::numeric / mu_exact > 10");
	note("$name: $heavy rows with w > 10");

	# OBP's round rewards, in numeric from the exact inputs.
	my $check = $node->safe_psql(
		'postgres', qq{
		WITH t AS (
		    SELECT click::numeric AS r, pi::text::numeric / mu_exact AS w,
		           q::text::numeric AS q, v::text::numeric AS v
		    FROM $name),
		terms AS (
		    SELECT least(w, 10) * r AS ipw,
		           v + least(w, 10) * (r - q) AS clip,
		           v + CASE WHEN w <= 10 THEN w ELSE 0 END * (r - q) AS switch,
		           v + (10 * w / (w * w + 10)) * (r - q) AS os,
		           w > 10 AS over
		    FROM t),
		ref AS (
		    SELECT avg(ipw) AS ipw, stddev_samp(ipw) / sqrt(count(*)::numeric) AS ipw_se,
		           avg(clip) AS clip, stddev_samp(clip) / sqrt(count(*)::numeric) AS clip_se,
		           avg(switch) AS switch, stddev_samp(switch) / sqrt(count(*)::numeric) AS switch_se,
		           avg(os) AS os, stddev_samp(os) / sqrt(count(*)::numeric) AS os_se,
		           count(*) FILTER (WHERE over) AS n_over
		    FROM terms),
		ours AS (
		    SELECT ope_accumulate(click, propensity, pi, q, v, ARRAY[1, 10, 100, 'Infinity']::float8[]) AS s
		    FROM $name),
		rows AS (SELECT r.* FROM ours, ope_report(ours.s) r WHERE r.lambda = 10)
		SELECT concat_ws(',',
		    close_to(ope_estimate(o.s, 'ipw_clip', 10), ref.ipw, 1e-12),
		    close_to(ope_estimate(o.s, 'dr_clip', 10), ref.clip, 1e-12),
		    close_to(ope_estimate(o.s, 'switch_dr', 10), ref.switch, 1e-12),
		    close_to(ope_estimate(o.s, 'dr_os', 10), ref.os, 1e-12),
		    (SELECT close_to(std_error, ref.ipw_se, 1e-10) FROM rows WHERE estimator = 'ipw_clip'),
		    (SELECT close_to(std_error, ref.clip_se, 1e-10) FROM rows WHERE estimator = 'dr_clip'),
		    (SELECT close_to(std_error, ref.switch_se, 1e-10) FROM rows WHERE estimator = 'switch_dr'),
		    (SELECT close_to(std_error, ref.os_se, 1e-10) FROM rows WHERE estimator = 'dr_os'),
		    (SELECT n_above = ref.n_over FROM ope_lambda_diagnostics(o.s) WHERE lambda = 10))
		FROM ours o, ref});
	is($check, 't,t,t,t,t,t,t,t,t',
		"$name: ipw_clip, dr_clip, switch_dr, dr_os at lambda 10, their standard errors and the rows above 10 match OBP's definitions in numeric");

	# Infinity is plain IPS and DR; a clipped DR is pulled toward DM as lambda falls
	is( $node->safe_psql(
			'postgres', qq{
		WITH o AS (SELECT ope_accumulate(click, propensity, pi, q, v, ARRAY[0, 10, 'Infinity']::float8[]) AS s FROM $name)
		SELECT abs(ope_estimate(s, 'ipw_clip', 'Infinity') - ope_estimate(s, 'ips')) < 1e-15
		   AND abs(ope_estimate(s, 'dr_clip', 'Infinity') - ope_estimate(s, 'dr')) < 1e-15
		   AND abs(ope_estimate(s, 'dr_os', 'Infinity') - ope_estimate(s, 'dr')) < 1e-15
		   AND abs(ope_estimate(s, 'dr_clip', 0) - ope_estimate(s, 'dm')) < 1e-15
		FROM o}),
		't', "$name: lambda = Infinity gives IPS and DR, lambda = 0 gives DM");
}

$node->stop;
done_testing();
