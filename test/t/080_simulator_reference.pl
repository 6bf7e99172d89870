# simulate_impressions (API.md section 3) against an independent pure-Python
# reimplementation (080_simulator_reference.py, run with Debian's
# /usr/bin/python3, standard library only): SplitMix64's mixer and the nested
# draws in 64-bit wraparound arithmetic, MurmurHash3_x86_32 with signed
# feature hashing, the context layout, the true play probabilities
# (math.exp), the uniform logging choice by cumulative probabilities, played
# and minutes (math.log1p).
#  1. 3,677 rows from ten calls (n from 0 to 10^10, the latter and one
#     other read through a LIMIT; 1 to 40 images per show; 1 to 10^6 shows;
#     dim 4 (every token in one bucket), 5, 7, 8 and 9 (collisions), 12, 16,
#     64 and 1024; seeds 0, 1, 5, 7, -1, -42, INT64_MIN, INT64_MAX, 2^40 + 1
#     and 123456789012345) are exported with COPY (FORMAT csv) and every column of
#     every row is compared: impression_id, user_id, show_id, day, hour,
#     context, candidates, image_id, played and the propensity (1/K) exactly,
#     minutes and play_probabilities to 1e-12 relative; missing, extra and
#     out-of-order rows count as mismatches.
#  2. A parallel plan (Gather over a Parallel Seq Scan of seeds joined to
#     simulate_impressions, the leader not participating) and a forced
#     single-copy Gather give the serial rows, compared by md5 of the rows in
#     order.
use strict;
use warnings;

use FindBin;
use IPC::Run;
use JSON::PP;
use List::Util qw(min sum);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $python = '/usr/bin/python3';
plan skip_all => "$python is not available (Debian: python3)" unless -x $python;

my $started = time;
my $node = PostgreSQL::Test::Cluster->new('simulator_reference');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');

# ---- 1. every column against the Python reference -----------------------------

# (call, n, shows, images_per_show, dim, seed, row limit or undef)
my @calls = (
	[ 1,  1200,        30,      4,  12,   7,                      undef ],
	[ 2,  700,         5,       3,  4,    -1,                     undef ],
	[ 3,  450,         1000000, 7,  5,    '-9223372036854775808', undef ],
	[ 4,  250,         1,       1,  7,    '9223372036854775807',  undef ],
	[ 5,  120,         200,     40, 64,   '123456789012345',      undef ],
	[ 6,  7,           3,       2,  1024, 0,                      undef ],
	[ 7,  0,           10,      3,  8,    5,                      undef ],
	[ 8,  500,         10,      3,  8,    1,                      undef ],
	[ 9,  10000000000, 50,      5,  16,   -42,                    150 ],
	[ 10, 2500,        100,     6,  9,    1099511627777,          300 ],
);
my $expected_rows = sum(map { defined $_->[6] ? min($_->[1], $_->[6]) : $_->[1] } @calls);
my $values = join(",\n",
	map { sprintf("(%d, %s::int8, %d, %d, %d, '%s'::int8, %s::int8)", @$_[ 0 .. 5 ], $_->[6] // 'NULL') }
	  @calls);
$node->safe_psql('postgres',
	"CREATE TABLE calls (call int, n int8, shows int4, images int4, dim int4, seed int8, lim int8);
	 INSERT INTO calls VALUES $values;");

# Unlimited calls in FROM (a materialised Function Scan); limited ones in the
# select list under a LIMIT (value per call, so n = 10^10 stops after 150).
my $csv = $node->basedir . '/simulated.csv';
my $cols = 's.impression_id, s.user_id, s.show_id, s.day, s.hour, s.context, s.candidates,
	s.image_id, s.propensity, s.played, s.minutes, s.play_probabilities';
$node->safe_psql(
	'postgres', qq{
	SET extra_float_digits = 1;
	COPY (
	    SELECT * FROM (
	        SELECT c.*, $cols
	        FROM calls c, simulate_impressions(c.n, c.shows, c.images, c.dim, c.seed) s
	        WHERE c.lim IS NULL
	        UNION ALL
	        SELECT c.*, $cols
	        FROM calls c,
	             LATERAL (SELECT (r).* FROM
	                          (SELECT simulate_impressions(c.n, c.shows, c.images, c.dim, c.seed) r
	                           LIMIT c.lim) l) s
	        WHERE c.lim IS NOT NULL) u
	    ORDER BY call, impression_id
	) TO '$csv' WITH (FORMAT csv)});

is( $node->safe_psql(
		'postgres', q{
	SELECT sum(CASE WHEN lim IS NULL
	                THEN (SELECT count(*) FROM simulate_impressions(n, shows, images, dim, seed))
	                ELSE lim END) FROM calls}),
	$expected_rows,
	"row counts: n rows per call, $expected_rows in all");

my ($json, $stderr);
my $ref_started = time;
IPC::Run::run([ $python, "$FindBin::Bin/080_simulator_reference.py", $csv ],
	'>', \$json, '2>', \$stderr)
  or BAIL_OUT("the Python reference failed: $stderr");
my $ref = eval { decode_json($json) } or BAIL_OUT("unreadable output of the Python reference: $@");
note(sprintf('Python reference: %.1f s for %d rows', time - $ref_started, $ref->{rows}));

is($ref->{rows}, $expected_rows, "the export holds $expected_rows rows");
is($ref->{expected_rows}, $expected_rows, 'the reference expects as many rows');
is($ref->{calls}, scalar(grep { $_->[1] > 0 } @calls), 'every non-empty call was exported');
diag($_) for @{ $ref->{mismatches} };
foreach my $col (
	qw(rows impression_id user_id show_id day hour context candidates image_id propensity
	played minutes play_probabilities))
{
	is($ref->{mismatch_count}{$col}, 0, "$col: no mismatch with the reference");
}
is(sum(values %{ $ref->{mismatch_count} }), 0, 'no mismatch at all');
note(sprintf('largest relative error: minutes %.3g, play_probabilities %.3g',
		$ref->{max_rel}{minutes}, $ref->{max_rel}{play_probabilities}));
note(sprintf('bit-identical: minutes %d of %d, play_probabilities %d of %d',
		@{ $ref->{bit_identical}{minutes} }, @{ $ref->{bit_identical}{play_probabilities} }));
# The comparison means something only if it covered plays and hash collisions.
ok($ref->{played} > 100, "plays were exercised ($ref->{played})");
ok($ref->{collisions} > 1000, "colliding hashed tokens were exercised ($ref->{collisions} rows)");

# ---- 2. parallel plans ------------------------------------------------------------

my $serial = 'SET max_parallel_workers_per_gather = 0; SET force_parallel_mode = off;';
my $parallel = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;
	SET max_parallel_workers_per_gather = 2;';
$node->safe_psql(
	'postgres', q{
	CREATE TABLE seeds (s int8, pad text) WITH (fillfactor = 10, parallel_workers = 2);
	INSERT INTO seeds
	SELECT s, repeat('x', 1500)
	FROM (SELECT generate_series(1, 4)::int8
	      UNION ALL VALUES (-1), ('-9223372036854775808'::int8), ('9223372036854775807')) v(s);
	ANALYZE seeds;});
# One seed per page (the padding and fillfactor), so that both workers get
# some; two planned workers halve the cost of the join below the Gather.
my $md5 = q{SELECT md5(string_agg(r::text, '|' ORDER BY t.s, r.impression_id)), count(*)
	FROM seeds t, simulate_impressions(500, 10, 3, 8, t.s) r};
my $serial_md5 = $node->safe_psql('postgres', "$serial $md5");
like($serial_md5, qr/^[0-9a-f]{32}\|3500$/, 'serial: 3500 rows');
my $plan = $node->safe_psql('postgres',
	"$parallel EXPLAIN (ANALYZE, VERBOSE, COSTS OFF, TIMING OFF, SUMMARY OFF) $md5");
like($plan, qr/Gather.*Workers Launched: [12].*Parallel Seq Scan on public.seeds.*Function Scan on public.simulate_impressions/s,
	'parallel plan: simulate_impressions below a Gather, run in workers only')
  or diag($plan);
my ($scan) = $plan =~ /(Parallel Seq Scan.*?)Function Scan/s;
note('seeds per worker: ' . join(' + ', ($scan // '') =~ /Worker \d+:\s+actual rows=(\d+)/g));
is($node->safe_psql('postgres', "$parallel $md5"), $serial_md5,
	'parallel plan: the same rows as the serial plan');

# The brief's form: generate_series seeds, forced into a single-copy Gather.
my $md5_gs = q{SELECT md5(string_agg(r::text, '|' ORDER BY s, r.impression_id)), count(*)
	FROM generate_series(1, 4) s, simulate_impressions(500, 10, 3, 8, s) r};
my $forced = 'SET force_parallel_mode = on; SET parallel_leader_participation = off;';
$plan = $node->safe_psql('postgres',
	"$forced EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) $md5_gs");
like($plan, qr/Gather.*Workers Launched: 1.*Single Copy: true/s,
	'forced parallel mode: a single-copy Gather in a worker')
  or diag($plan);
my $serial_gs = $node->safe_psql('postgres', "$serial $md5_gs");
like($serial_gs, qr/\|2000$/, 'generate_series seeds, serial: 2000 rows');
is($node->safe_psql('postgres', "$forced $md5_gs"), $serial_gs,
	'forced parallel mode: the same rows as the serial plan');
# Seed 1 of the parallel checks is call 8 of the reference comparison.
is( $node->safe_psql(
		'postgres', qq{$parallel
	SELECT md5(string_agg(r::text, '|' ORDER BY r.impression_id))
	FROM seeds t, simulate_impressions(500, 10, 3, 8, t.s) r WHERE t.s = 1}),
	$node->safe_psql(
		'postgres', q{SELECT md5(string_agg(r::text, '|' ORDER BY r.impression_id))
	FROM simulate_impressions(500, 10, 3, 8, 1) r}),
	'parallel rows of seed 1 are those checked against the reference');

note(sprintf('total %.1f s', time - $started));
$node->stop;
done_testing();
