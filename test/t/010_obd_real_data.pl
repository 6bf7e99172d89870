# Estimators on real exploration logs: the Open Bandit Dataset sample in
# ../shared/data/obd (ZOZOTOWN; uniform-random and Bernoulli-TS logging with
# true propensities).  Every estimate is checked against the same formula
# evaluated over numeric in SQL from the CSV text, to 1e-12 relative.
# Skips cleanly when the data directory is absent.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $data = $ENV{ARTBANDIT_DATA} // '';
plan skip_all => 'ARTBANDIT_DATA does not point at the shared data (../shared/data)'
  unless $data ne '' && -d "$data/obd";

my $node = PostgreSQL::Test::Cluster->new('obd');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');

# |ours - exact| <= tol * |exact| (so an exact zero must be matched exactly)
$node->safe_psql(
	'postgres', q{
	CREATE FUNCTION close_to(ours float8, exact numeric, tol numeric) RETURNS bool
	LANGUAGE sql IMMUTABLE AS $$ SELECT abs(ours::numeric - exact) <= tol * abs(exact) $$});

# Load a log as raw text lines, then split the columns we use (the number of
# affinity columns differs between campaigns).  \x01 never occurs in the file.
sub load_log
{
	my ($table, $file) = @_;
	$node->safe_psql(
		'postgres', qq{
		CREATE TABLE raw_$table (line text);
		COPY raw_$table FROM '$file' WITH (FORMAT text, DELIMITER E'\\x01');
		CREATE TABLE $table AS
		SELECT split_part(line, ',', 1)::int AS idx,
		       split_part(line, ',', 3)::int8 AS item_id,
		       split_part(line, ',', 4)::int AS position,
		       split_part(line, ',', 5)::int AS click,
		       split_part(line, ',', 6) AS propensity_text,
		       split_part(line, ',', 6)::float8 AS propensity,
		       split_part(line, ',', 7) AS user_feature_0
		FROM raw_$table WHERE line NOT LIKE ',timestamp%';
		DROP TABLE raw_$table;});
	return $node->safe_psql('postgres', "SELECT count(*) FROM $table");
}

my %logs = (
	random_men   => ["$data/obd/random/men/men.csv",     34],
	random_women => ["$data/obd/random/women/women.csv", 46],
	bts_men      => ["$data/obd/bts/men/men.csv",        34],
	bts_women    => ["$data/obd/bts/women/women.csv",    46],);

foreach my $name (sort keys %logs)
{
	my ($file, $n_items) = @{ $logs{$name} };
	is(load_log($name, $file), 10000, "$name: 10000 impressions loaded");

	# Target policies, per (user, position):
	#  - deterministic: an item chosen from the user's first feature and the slot;
	#  - stochastic: half on that item, half uniform over all items.
	$node->safe_psql(
		'postgres', qq{
		ALTER TABLE $name ADD COLUMN target int8;
		UPDATE $name SET target = (abs(hashtext(user_feature_0)) + 7 * position) % $n_items;
		ALTER TABLE $name ADD COLUMN pi_mixed float8;
		UPDATE $name SET pi_mixed = CASE WHEN item_id = target THEN 0.5 ELSE 0 END + 0.5 / $n_items;});

	# The numeric reference: propensities from the CSV text, exactly.
	my $check = $node->safe_psql(
		'postgres', qq{
		WITH t AS (
		    SELECT click::numeric AS r, propensity_text::numeric AS mu,
		           (item_id = target)::int::numeric AS pi_det,
		           pi_mixed::text::numeric AS pi_mix
		    FROM $name),
		ref AS (
		    SELECT avg(r) FILTER (WHERE pi_det = 1) AS replay,
		           sum(r / mu) FILTER (WHERE pi_det = 1) / sum(1 / mu) FILTER (WHERE pi_det = 1) AS replay_w,
		           avg(pi_det / mu * r) AS ips_det,
		           avg(pi_mix / mu * r) AS ips_mix,
		           sum(pi_mix / mu * r) / sum(pi_mix / mu) AS snips_mix,
		           stddev_samp(pi_mix / mu * r) / sqrt(count(*)::numeric) AS ips_mix_se
		    FROM t),
		ours AS (
		    SELECT replay_take_fraction(item_id, target, click::bool) AS replay,
		           replay_take_fraction(item_id, target, click::bool, propensity) AS replay_w,
		           ips_estimate(click, propensity, (item_id = target)::int) AS ips_det,
		           ips_estimate(click, propensity, pi_mixed) AS ips_mix,
		           snips_estimate(click, propensity, pi_mixed) AS snips_mix,
		           ope_accumulate(click, propensity, pi_mixed) AS s
		    FROM $name)
		SELECT concat_ws(',',
		    close_to(o.replay, ref.replay, 1e-12),
		    close_to(o.replay_w, ref.replay_w, 1e-12),
		    close_to(o.ips_det, ref.ips_det, 1e-12),
		    close_to(o.ips_mix, ref.ips_mix, 1e-12),
		    close_to(o.snips_mix, ref.snips_mix, 1e-12),
		    close_to(r.std_error, ref.ips_mix_se, 1e-10),
		    (ope_diagnostics(o.s)).n = 10000)
		FROM ours o, ref, ope_report(o.s) r WHERE r.estimator = 'ips'});
	is($check, 't,t,t,t,t,t,t',
		"$name: replay, weighted replay, IPS, SNIPS and IPS std error match numeric");
}

# On uniform-random logs every propensity is exactly 1/n_items, so weighted
# and plain replay coincide; on the Thompson-sampling logs they differ.
is( $node->safe_psql(
		'postgres', q{
	SELECT abs(replay_take_fraction(item_id, target, click::bool, propensity)
	           - replay_take_fraction(item_id, target, click::bool)) < 1e-12
	FROM random_men}),
	't',
	'uniform logging: weighted replay equals plain replay');
is( $node->safe_psql(
		'postgres', q{SELECT min(propensity) > 0 AND max(propensity) <= 1 FROM bts_women}),
	't',
	'bts propensities are inside (0, 1]');

$node->stop;
done_testing();
