# ope_state through COPY ... (FORMAT binary): an exact round trip, then
# crafted and randomly mutated files.  Every mutated value is either rejected
# with invalid_binary_representation (22P03) or accepted as a state that
# prints and reads back identically; the server never crashes.
use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('binary_copy');
$node->init;
$node->start;
$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION artbandit;
	CREATE TABLE src AS
	SELECT g % 3 AS k, ope_accumulate(sin(i)::float8 + 1, 0.05 + (i % 19) / 20.0, (i % 7) / 7.0,
	                                  cos(i)::float8, sin(i * 3)::float8) AS s
	FROM generate_series(1, 3000) i, LATERAL (SELECT i AS g) x GROUP BY g % 3;
	CREATE TABLE dst (k int, s ope_state);});

my $dir = $node->basedir;
$node->safe_psql('postgres', "COPY src TO '$dir/states.bin' (FORMAT binary)");
$node->safe_psql('postgres', "COPY dst FROM '$dir/states.bin' (FORMAT binary)");
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM src JOIN dst USING (k) WHERE src.s::text = dst.s::text'),
	'3',
	'binary COPY round trip is exact');

# The text form survives COPY too.
$node->safe_psql('postgres', "COPY src TO '$dir/states.txt'");
$node->safe_psql('postgres', "TRUNCATE dst; COPY dst FROM '$dir/states.txt'");
is( $node->safe_psql(
		'postgres',
		'SELECT count(*) FROM src JOIN dst USING (k) WHERE src.s::text = dst.s::text'),
	'3',
	'text COPY round trip is exact');

# One state alone, as a binary COPY file, to mutate.
$node->safe_psql('postgres',
	"COPY (SELECT s FROM src WHERE k = 0) TO '$dir/one.bin' (FORMAT binary)");
my $file = slurp_file("$dir/one.bin");
my $header = substr($file, 0, 19);    # signature, flags, extension length
my ($nfields, $len) = unpack('n N', substr($file, 19, 6));
is($nfields, 1, 'one field per tuple');
my $payload = substr($file, 25, $len);
is(length($payload), 368, 'ope_state binary payload is 368 bytes (version 2, no lambdas)');

# Load a payload through binary COPY; return the SQLSTATE, or 'ok' after
# checking that the accepted value prints and reads back identically.
sub load_payload
{
	my ($bytes) = @_;
	my $body = pack('n N', 1, length($bytes)) . $bytes . pack('n', 0xFFFF);
	open(my $fh, '>:raw', "$dir/mutant.bin") or die $!;
	print $fh $header . $body;
	close $fh;
	my ($ret, $out, $err) = $node->psql(
		'postgres', qq{
		\\set VERBOSITY verbose
		CREATE TEMP TABLE m (s ope_state);
		COPY m FROM '$dir/mutant.bin' (FORMAT binary);
		SELECT bool_and(s::text::ope_state::text = s::text) FROM m;});
	return 'ok' if $ret == 0 && $out eq 't';
	return $1 if $err =~ /ERROR:\s+([0-9A-Z]{5}):/;
	return "unexpected: ret=$ret out=$out err=$err";
}

is(load_payload($payload), 'ok', 'the unmodified payload loads');

my %crafted = (
	'truncated'       => substr($payload, 0, 200),
	'empty'           => '',
	'one byte'        => substr($payload, 0, 1),
	'trailing byte'   => $payload . "\0",
	'version 3'       => "\x03" . substr($payload, 1),
	'version 1 header' => "\x01" . substr($payload, 1),
	'lambda count'    => substr($payload, 0, 2) . "\x00\x01" . substr($payload, 4),
	'version 0'       => "\x00" . substr($payload, 1),
	'unknown flag'    => substr($payload, 0, 1) . "\x80" . substr($payload, 2),
	'reserved bits'   => substr($payload, 0, 4) . "\x00\x00\x00\x01" . substr($payload, 8),
	'negative n'      => substr($payload, 0, 8) . pack('N N', 0xFFFFFFFF, 0xFFFFFFF0) . substr($payload, 16),
	'NaN sum'         => substr($payload, 0, 48) . pack('N N', 0x7FF80000, 0) . substr($payload, 56),
	'Infinity weight' => substr($payload, 0, 32) . pack('N N', 0x7FF00000, 0) . substr($payload, 40),
	'huge n_matched'  => substr($payload, 0, 24) . pack('N N', 0x7FFFFFFF, 0xFFFFFFFF) . substr($payload, 32),);
foreach my $case (sort keys %crafted)
{
	is(load_payload($crafted{$case}), '22P03', "crafted '$case' is rejected with 22P03");
}

# Random mutations: flip bytes, truncate, extend.
srand(20261129);
my %outcomes;
for my $i (1 .. 150)
{
	my $m = $payload;
	my $kind = $i % 3;
	if ($kind == 0)
	{
		for (1 .. 1 + int(rand(4)))
		{
			substr($m, int(rand(length $m)), 1) = chr(int(rand(256)));
		}
	}
	elsif ($kind == 1)
	{
		$m = substr($m, 0, int(rand(length $m)));
	}
	else
	{
		$m .= chr(int(rand(256))) x (1 + int(rand(8)));
	}
	my $res = load_payload($m);
	$outcomes{$res}++;
}
my @unexpected = grep { $_ ne 'ok' && $_ ne '22P03' } keys %outcomes;
is(scalar(@unexpected), 0, 'random mutations are rejected (22P03) or round-trip')
  or diag(join("\n", @unexpected));
note(join(', ', map { "$_: $outcomes{$_}" } sort keys %outcomes));

is($node->safe_psql('postgres', 'SELECT 1'), '1', 'server is still up');
ok(slurp_file($node->logfile) !~ /terminated by signal/, 'no backend crashed');

$node->stop;
done_testing();
