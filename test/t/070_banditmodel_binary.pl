# banditmodel through COPY ... (FORMAT binary): exact round trips of fitted
# models of several dimensions and arm counts, the wire layout checked
# against an independent encoding, then crafted and randomly mutated
# payloads.  Every bad payload is rejected with invalid_binary_representation
# (22P03) or program_limit_exceeded (54000), sizes that the header claims are
# refused before anything is allocated, every accepted payload prints and
# reads back identically, and the server never crashes.
#
# Wire layout (big-endian): u8 version, u8 flags, u16 reserved, u32 dim,
# u32 narms, u32 reserved2; per arm i64 action, i64 n, f64 weight, f64 sum_wr,
# f64 sum_wr2, f64 A (packed lower triangle, row by row: (i, j), j <= i, at
# i (i + 1) / 2 + j), f64 b (dim values).
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('banditmodel_binary');
$node->init;
$node->start;
$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION artbandit;
	CREATE TABLE src (k int, m banditmodel);
	-- fitted: dimensions 1 to 16, 1 to 25 arms (negative actions too), weighted rows
	INSERT INTO src
	SELECT d * 1000 + k,
		(SELECT bandit_fit((i * 7919) % k - k / 2,
						   ARRAY(SELECT sin(i * j + d)::float8 FROM generate_series(1, d) j),
						   cos(i)::float8, 0.5 + (i % 3))
		 FROM generate_series(1, 200) i)
	FROM (VALUES (1), (2), (3), (7), (16)) dd(d), (VALUES (1), (4), (25)) kk(k);
	-- the largest dimension (one arm: its text form alone is 21 MB)
	INSERT INTO src
	SELECT 1024001, bandit_fit(-1, ARRAY(SELECT sin(i + j)::float8 FROM generate_series(1, 1024) j), i)
	FROM generate_series(1, 3) i;
	-- no arms; extreme values (bigint limits, subnormal, -0, the largest sums allowed)
	INSERT INTO src VALUES
		(1, '{"version":1,"dim":3,"arms":[]}'),
		(2, '{"version":1,"dim":1,"arms":[{"action":-9223372036854775808,"n":9223372036854775807,"weight":2.2471164185778946e307,"sum_wr":-1e-9,"sum_wr2":5e-324,"A":[[5e-324]],"b":[-0]},{"action":9223372036854775807,"n":0,"weight":0,"sum_wr":0,"sum_wr2":0,"A":[[0]],"b":[0]}]}');
	CREATE TABLE dst (k int, m banditmodel);});

my $nsrc = $node->safe_psql('postgres', 'SELECT count(*) FROM src');
is($nsrc, '18', 'eighteen models to copy');

my $dir = $node->basedir;
$node->safe_psql('postgres', "COPY src TO '$dir/models.bin' (FORMAT binary)");
$node->safe_psql('postgres', "COPY dst FROM '$dir/models.bin' (FORMAT binary)");
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*) FROM src JOIN dst USING (k)
		WHERE src.m::text = dst.m::text
		  AND banditmodel_send(src.m) = banditmodel_send(dst.m)}),
	$nsrc,
	'binary COPY round trip is exact (text and bytes)');
is( $node->safe_psql(
		'postgres', q{
		SELECT count(*)
		FROM (SELECT k, m, ('x' || encode(substring(banditmodel_send(m) FROM 5 FOR 4), 'hex'))::bit(32)::int AS d
			  FROM src) s
		WHERE length(banditmodel_send(m)) = 16 + (SELECT count(*) FROM bandit_arms(m)) * (40 + 8 * (d * (d + 3) / 2))
		  AND d = CASE k WHEN 1 THEN 3 WHEN 2 THEN 1 ELSE k / 1000 END}),
	$nsrc,
	'every payload has 16 + narms * (40 + 8 (d (d + 1) / 2 + d)) bytes');

# The text form survives COPY too (but for the dimension-1024 model, slow in text).
$node->safe_psql('postgres', "COPY (SELECT * FROM src WHERE k < 1024000) TO '$dir/models.txt'");
$node->safe_psql('postgres', "TRUNCATE dst; COPY dst FROM '$dir/models.txt'");
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM src JOIN dst USING (k) WHERE src.m::text = dst.m::text'),
	$nsrc - 1,
	'text COPY round trip is exact');

# The layout, against an encoding done here: one arm (action 7) with rows
# x = (1, 2), r = 3, w = 1 and x = (0, 1), r = 1, w = 2:
# n 2, weight 3, sum_wr 5, sum_wr2 11, A = [[1, 2], [2, 6]], b = (3, 8).
sub header
{
	my ($version, $flags, $reserved, $dim, $narms, $reserved2) = @_;
	return pack('C C n N N N', $version, $flags, $reserved, $dim, $narms, $reserved2);
}

sub arm
{
	my ($action, $n, $weight, $sum_wr, $sum_wr2, @ab) = @_;
	return pack('q> q> d> d> d> d>*', $action, $n, $weight, $sum_wr, $sum_wr2, @ab);
}

my $expected = header(1, 0, 0, 2, 1, 0) . arm(7, 2, 3, 5, 11, 1, 2, 6, 3, 8);
my $hex = $node->safe_psql(
	'postgres', q{
	SELECT encode(banditmodel_send(bandit_fit(a, x, r, w)), 'hex')
	FROM (VALUES (7, '{1,2}'::float8[], 3.0::float8, 1.0::float8), (7, '{0,1}', 1, 2)) v(a, x, r, w)});
is($hex, unpack('H*', $expected), 'wire layout matches the specification');

# A single-column binary COPY file around a payload.
$node->safe_psql('postgres',
	"COPY (SELECT m FROM src WHERE k = 3004) TO '$dir/one.bin' (FORMAT binary)");
my $file = slurp_file("$dir/one.bin");
my $copy_header = substr($file, 0, 19);    # signature, flags, extension length
my ($nfields, $len) = unpack('n N', substr($file, 19, 6));
is($nfields, 1, 'one field per tuple');
my $payload = substr($file, 25, $len);
is(length($payload), 16 + 4 * (40 + 8 * 9), 'dimension 3, 4 arms: 464 bytes');
my ($dim, $narms) = unpack('x4 N N', $payload);
is("$dim $narms", '3 4', 'header says dimension 3, 4 arms');

# Load a payload through binary COPY in a fresh backend.  Returns the
# SQLSTATE of the failure, or 'ok' after checking that the accepted value
# prints and reads back identically (text and bytes) and can be scored
# (or is refused by the scorer with 22023 or 22003); also the growth of the
# backend's peak virtual memory (kB) across the COPY and the elapsed time.
sub load_payload
{
	my ($bytes) = @_;
	my $body = pack('n N', 1, length($bytes)) . $bytes . pack('n', 0xFFFF);
	open(my $fh, '>:raw', "$dir/mutant.bin") or die $!;
	print $fh $copy_header . $body;
	close $fh;
	my $start = time();
	my ($ret, $out, $err) = $node->psql(
		'postgres', qq{
		CREATE TEMP TABLE m (s banditmodel);
		SELECT substring(pg_read_file('/proc/self/status') from 'VmPeak:\\s+(\\d+)');
		\\set VERBOSITY verbose
		COPY m FROM '$dir/mutant.bin' (FORMAT binary);
		SELECT substring(pg_read_file('/proc/self/status') from 'VmPeak:\\s+(\\d+)');
		SELECT count(*) = 1 AND bool_and(s::text::banditmodel::text = s::text
				AND banditmodel_send(s::text::banditmodel) = banditmodel_send(s))
		FROM m;
		SET statement_timeout = '60s';
		DO \$\$
		BEGIN
			PERFORM bandit_scores(s, c, NULL, 'linucb'), bandit_probabilities(s, c, NULL, 'thompson'),
				bandit_probabilities(s, c, NULL, 'softmax(temperature=0.01)'),
				bandit_value(s, c, NULL, 'epsilon_greedy', s), bandit_act(s, c, NULL, 'thompson', 1)
			FROM m, (SELECT array_fill(0.5::float8, ARRAY[d]) AS c
					 FROM (SELECT ('x' || encode(substring(banditmodel_send(s) FROM 5 FOR 4), 'hex'))::bit(32)::int AS d
						   FROM m) x) y;
		EXCEPTION WHEN invalid_parameter_value OR numeric_value_out_of_range THEN
			NULL;
		END
		\$\$;},
		on_error_stop => 0);
	my $elapsed = time() - $start;
	my @lines = split /\n/, $out;
	my $growth = @lines >= 2 ? $lines[1] - $lines[0] : -1;
	my $res;
	if ($err =~ /ERROR:\s+([0-9A-Z]{5}):/)
	{
		$res = $1;
	}
	elsif ($ret == 0 && @lines == 3 && $lines[2] eq 't')
	{
		$res = 'ok';
	}
	else
	{
		$res = "unexpected: ret=$ret out=$out err=$err";
	}
	return wantarray ? ($res, $growth, $elapsed) : $res;
}

is(load_payload($payload), 'ok', 'the unmodified payload loads');
is(load_payload($expected), 'ok', 'the hand-encoded payload loads');
is(load_payload(header(1, 0, 0, 1, 0, 0)), 'ok', 'a header alone is a model with no arms');

# Positive control for the memory measurement: a valid dimension-1024 model
# of 2 arms (8.4 MB) does grow the backend.
{
	my $d = 1024;
	my $t = $d * ($d + 1) / 2;
	my @a = (0) x $t;
	$a[$_ * ($_ + 1) / 2 + $_] = 1 for 0 .. $d - 1;
	my $big = header(1, 0, 0, $d, 2, 0)
	  . arm(1, 1, 1, 1, 1, @a, (1) x $d)
	  . arm(2, 1, 1, 1, 1, @a, (0) x $d);
	my ($res, $growth) = load_payload($big);
	is($res, 'ok', 'a dimension-1024 model of 2 arms loads');
	cmp_ok($growth, '>', 8 * 1024, "loading 8.4 MB grows the backend (by $growth kB)");
}

# Crafted payloads.  The arm of the dimension-1 base below: action, n,
# weight, sum_wr, sum_wr2, A (one value), b (one value).
my $arm1 = arm(5, 2, 2, 1, 1, 4, 2);
my $two = header(1, 0, 0, 1, 2, 0) . arm(5, 2, 2, 1, 1, 4, 2) . arm(6, 1, 1, 0, 0, 1, 0);
is(load_payload($two), 'ok', 'the crafted base payload loads');
my $a3 = header(1, 0, 0, 2, 1, 0);    # dimension 2: A = (a00, a10, a11), b = (b0, b1)
my $nan = pack('d>', 9**9**9 - 9**9**9);
my $inf = pack('d>', 9**9**9);

my %crafted = (
	'empty'                  => '',
	'one byte'               => "\x01",
	'truncated header'       => substr($payload, 0, 15),
	'truncated in an arm'    => substr($payload, 0, 200),
	'missing last byte'      => substr($payload, 0, -1),
	'trailing byte'          => $payload . "\0",
	'trailing arm'           => $two . $arm1,
	'version 0'              => "\x00" . substr($payload, 1),
	'version 2'              => "\x02" . substr($payload, 1),
	'version 255'            => "\xFF" . substr($payload, 1),
	'flags 1'                => substr($payload, 0, 1) . "\x01" . substr($payload, 2),
	'flags 0x80'             => substr($payload, 0, 1) . "\x80" . substr($payload, 2),
	'reserved'               => substr($payload, 0, 2) . "\x00\x01" . substr($payload, 4),
	'reserved2'              => substr($payload, 0, 12) . pack('N', 1) . substr($payload, 16),
	'narms one too many'     => header(1, 0, 0, 1, 3, 0) . substr($two, 16),
	'narms one too few'      => header(1, 0, 0, 1, 1, 0) . substr($two, 16),
	'dim one too many'       => header(1, 0, 0, 2, 2, 0) . substr($two, 16),
	'negative n'             => header(1, 0, 0, 1, 1, 0) . arm(5, -1, 2, 1, 1, 4, 2),
	'n = 0, non-zero sums'   => header(1, 0, 0, 1, 1, 0) . arm(5, 0, 2, 1, 1, 4, 2),
	'n = 0, non-zero b'      => header(1, 0, 0, 1, 1, 0) . arm(5, 0, 0, 0, 0, 0, 1),
	'negative weight'        => header(1, 0, 0, 1, 1, 0) . arm(5, 2, -2, 1, 1, 4, 2),
	'negative sum_wr2'       => header(1, 0, 0, 1, 1, 0) . arm(5, 2, 2, 1, -1, 4, 2),
	'negative diagonal'      => header(1, 0, 0, 1, 1, 0) . arm(5, 2, 2, 1, 1, -4, 2),
	'negative 2nd diagonal'  => $a3 . arm(5, 2, 2, 1, 1, 4, 0, -1e-300, 2, 0),
	'unsorted actions'       => header(1, 0, 0, 1, 2, 0) . arm(6, 1, 1, 0, 0, 1, 0) . arm(5, 2, 2, 1, 1, 4, 2),
	'duplicated actions'     => header(1, 0, 0, 1, 2, 0) . arm(5, 1, 1, 0, 0, 1, 0) . arm(5, 2, 2, 1, 1, 4, 2),
	'NaN in A'               => $a3 . pack('q> q> d> d> d>', 5, 2, 2, 1, 1) . pack('d>', 4) . $nan . pack('d>*', 1, 2, 0),
	'NaN weight'             => header(1, 0, 0, 1, 1, 0) . pack('q> q>', 5, 2) . $nan . pack('d>*', 1, 1, 4, 2),
	'Infinity in b'          => $a3 . pack('q> q> d>*', 5, 2, 2, 1, 1, 4, 0, 1, 2) . $inf,
	'-Infinity sum_wr'       => header(1, 0, 0, 1, 1, 0) . pack('q> q> d>', 5, 2, 2) . pack('d>', -9**9**9) . pack('d>*', 1, 4, 2),
	'dim 0'                  => header(1, 0, 0, 0, 0, 0),
	'dim 0 with arms'        => header(1, 0, 0, 0, 2, 0) . pack('q> q> d> d> d>', 5, 1, 1, 1, 1) x 2,);
foreach my $case (sort keys %crafted)
{
	is(load_payload($crafted{$case}), '22P03', "crafted '$case' is rejected with 22P03");
}

# Sizes beyond the limits, claimed by a header of 16 bytes: 54000, at once,
# without allocating.  Claims within the limits but larger than the payload:
# 22P03, without allocating either (dimension 1024 and 31 arms is 130 MB,
# 32 arms would pass the 128 MB limit).
my %huge = (
	'dim 1025'                    => [ header(1, 0, 0, 1025, 0, 0),        '54000' ],
	'dim 2^32 - 1'                => [ header(1, 0, 0, 0xFFFFFFFF, 1, 0),  '54000' ],
	'narms 100001'                => [ header(1, 0, 0, 1, 100001, 0),      '54000' ],
	'narms 2^32 - 1'              => [ header(1, 0, 0, 1, 0xFFFFFFFF, 0),  '54000' ],
	'dim 1024, 32 arms (135 MB)'  => [ header(1, 0, 0, 1024, 32, 0),       '54000' ],
	'dim 2^32 - 1, narms 2^32 - 1' => [ header(1, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, 0), '54000' ],
	'dim 1024, 31 arms (130 MB)'  => [ header(1, 0, 0, 1024, 31, 0),       '22P03' ],
	'narms 100000'                => [ header(1, 0, 0, 1, 100000, 0),      '22P03' ],
	'dim 1024, 31 arms, one arm'  => [ header(1, 0, 0, 1024, 31, 0) . substr($payload, 16, 112), '22P03' ],);
foreach my $case (sort keys %huge)
{
	my ($bytes, $want) = @{ $huge{$case} };
	my ($res, $growth, $elapsed) = load_payload($bytes);
	is($res, $want, "header claiming $case is rejected with $want");
	ok($growth >= 0 && $growth < 8 * 1024,
		"header claiming $case: nothing allocated (peak grew by $growth kB)");
	cmp_ok($elapsed, '<', 5, "header claiming $case: answered at once");
}

# Random mutations: flip bytes (a quarter of them in the header), truncate,
# extend.  Each is rejected with 22P03 or 54000, or round-trips.
srand(20261130);
my %outcomes;
my @unexpected;
for my $i (1 .. 210)
{
	my $m = $payload;
	my $kind = $i % 3;
	if ($kind == 0)
	{
		for (1 .. 1 + int(rand(4)))
		{
			my $pos = rand() < 0.25 ? int(rand(16)) : int(rand(length $m));
			substr($m, $pos, 1) = chr(int(rand(256)));
		}
	}
	elsif ($kind == 1)
	{
		$m = substr($m, 0, int(rand(length $m)));
	}
	else
	{
		$m .= chr(int(rand(256))) x (1 + int(rand(120)));
	}
	my $res = load_payload($m);
	$outcomes{$res}++;
	push @unexpected, "mutation $i: $res (" . unpack('H*', $m) . ')'
	  unless $res eq 'ok' || $res eq '22P03' || $res eq '54000';
}
is(scalar(@unexpected), 0, 'random mutations are rejected (22P03, 54000) or round-trip')
  or diag(join("\n", @unexpected));
ok($outcomes{'22P03'} && $outcomes{ok}, 'mutations were both rejected and accepted');
note(join(', ', map { "$_: $outcomes{$_}" } sort keys %outcomes));

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server is still up');
ok(slurp_file($node->logfile) !~ /terminated by signal/, 'no backend crashed');

$node->stop;
done_testing();
