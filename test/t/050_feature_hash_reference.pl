# feature_hash against an independent implementation: Perl's
# Digest::MurmurHash3::PurePerl (Debian libdigest-murmurhash3-pureperl-perl)
# plus the index and sign rules of scikit-learn's FeatureHasher written out
# again here.  A few hundred generated tokens (ASCII, key=value, UTF-8 of 2
# to 4 bytes per character, every length from 0 to 40 bytes, long strings,
# tokens hashing to INT32_MIN), one by one and in groups with repeats, at
# several dims from 1 to 2^20; the vectors must agree exactly.
use strict;
use warnings;
use utf8;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

BEGIN
{
	eval { require Digest::MurmurHash3::PurePerl; 1 }
	  or plan skip_all =>
	  'Digest::MurmurHash3::PurePerl is not installed (Debian: libdigest-murmurhash3-pureperl-perl)';
	Digest::MurmurHash3::PurePerl->import('murmur32');
}

# murmur32 takes a character string, hashes its UTF-8 encoding and returns
# the hash as an unsigned 32-bit number.  Check it against published
# MurmurHash3_x86_32 vectors before trusting it.
my @published = (
	[ '', 0, 0 ],
	[ '', 1, 0x514E28B7 ],
	[ '', 0xffffffff, 0x81F16F39 ],
	[ "\0\0\0\0", 0, 0x2362F9DE ],
	[ 'aaaa', 0x9747b28c, 0x5A97808A ],
	[ 'Hello, world!', 0x9747b28c, 0x24884CBA ],
	[ 'The quick brown fox jumps over the lazy dog', 0x9747b28c, 0x2FA826CD ],
);
foreach my $v (@published)
{
	(my $shown = $v->[0]) =~ s/\0/\\0/g;
	is(murmur32($v->[0], $v->[1]), $v->[2],
		sprintf('reference murmur32("%s", 0x%x)', $shown, $v->[1]));
}

# The signed hash: the unsigned value read as a two's complement int32.
sub signed_hash
{
	my ($token) = @_;
	my $u = murmur32($token, 0);
	return $u >= 2**31 ? $u - 2**32 : $u;
}

# scikit-learn's FeatureHasher(alternate_sign=True): bucket |h| mod dim,
# except (2147483647 - (dim - 1)) mod dim for h = -2^31; sign of h.
# Returns the nonzero entries as "position:value" (1-based), ascending.
sub reference_vector
{
	my ($tokens, $dim) = @_;
	my %v;
	foreach my $t (@$tokens)
	{
		my $h = signed_hash($t);
		my $i =
		  $h == -2147483648
		  ? (2147483647 - ($dim - 1)) % $dim
		  : abs($h) % $dim;
		$v{ $i + 1 } += $h >= 0 ? 1 : -1;
	}
	return join(' ', map { "$_:$v{$_}" } grep { $v{$_} != 0 } sort { $a <=> $b } keys %v);
}

# Deterministic token generator (xorshift32), the same on every machine.
my $state = 2463534242;
sub rnd
{
	my ($n) = @_;
	$state ^= ($state << 13) & 0xFFFFFFFF;
	$state ^= $state >> 17;
	$state ^= ($state << 5) & 0xFFFFFFFF;
	return $state % $n;
}

my @alphabet = (
	'a' .. 'z', 'A' .. 'Z', '0' .. '9', '=', '_', '-', ' ', ',', '"',
	"'", '\\', '{', '}',
	'é', 'ü', 'ß', 'ж', 'Ω',                    # 2 bytes in UTF-8
	'日', '本', '語', 'ア', '€',                  # 3 bytes
	"\x{1F600}", "\x{1F3AC}", "\x{10348}");     # 4 bytes
my @tokens = ('', 'tok=aadz-ciD', 'tok=aaip9=Wn', 'country=BR', 'genre=anime');
foreach my $c (qw(BR US JP FR DE IN MX KR NG ID))
{
	push @tokens, "country=$c";
}
foreach my $g (qw(anime drama comedy documentary horror kids reality thriller))
{
	push @tokens, "genre=$g";
}
push @tokens, "hour=$_" for 0 .. 23;
push @tokens, 'title=Amélie', 'title=千と千尋の神隠し', "mood=\x{1F600}", 'city=São Paulo',
  'name=Łódź', 'lang=русский';
# every byte length 0 .. 40 in ASCII, so every tail length and block count
push @tokens, join('', map { $alphabet[ rnd(26) ] } 1 .. $_) for 0 .. 40;
# random strings over the whole alphabet, multi-byte included
for (1 .. 200)
{
	my $len = 1 + rnd(30);
	push @tokens, join('', map { $alphabet[ rnd(scalar @alphabet) ] } 1 .. $len);
}
# long strings
push @tokens, 'x' x 1000, 'é' x 3001, join('', map { $alphabet[ rnd(scalar @alphabet) ] } 1 .. 10000);

my %seen_min = map { signed_hash($_) == -2147483648 ? ($_ => 1) : () } @tokens;
is(scalar(keys %seen_min), 2, 'two tokens hash to INT32_MIN');

my $node = PostgreSQL::Test::Cluster->new('feature_hash');
$node->init;
$node->start;
$node->safe_psql('postgres',
	"CREATE DATABASE fh ENCODING 'UTF8' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
$node->safe_psql('fh', 'CREATE EXTENSION artbandit');

# The tokens travel as hex of their UTF-8 bytes, so no quoting is involved.
sub utf8_hex
{
	my ($t) = @_;
	utf8::encode($t);
	return unpack('H*', $t);
}
my $values = join(",\n",
	map { sprintf("(%d, convert_from('\\x%s'::bytea, 'UTF8'))", $_, utf8_hex($tokens[$_])) }
	  0 .. $#tokens);
$node->safe_psql('fh', "CREATE TABLE tokens (id int PRIMARY KEY, tok text NOT NULL);
	INSERT INTO tokens VALUES $values;");
my $total_bytes = 0;
foreach my $t (@tokens)
{
	my $b = $t;
	utf8::encode($b);
	$total_bytes += length($b);
}
is($node->safe_psql('fh', 'SELECT count(*), sum(octet_length(tok)) FROM tokens'),
	scalar(@tokens) . "|$total_bytes", 'tokens stored byte for byte');

# Every vector at the small dims; the first tokens and the last groups also
# at the two largest (whose vectors take longer to read back).
my @dims = (1, 2, 3, 7, 10, 64, 1000, 65521, 1048573, 1048576);
my $dims_sql = join(',', map { "($_)" } @dims);
my $big = 100000;
my $big_tokens = 24;    # tokens 0 .. 23 at every dim
my $big_groups = 6;     # the last 6 groups at every dim

# Nonzero entries as "position:value", and the shape, of each vector.
sub sparse_sql
{
	my ($vectors) = @_;
	return "SELECT d, k, array_lower(f, 1) = 1 AND array_length(f, 1) = d AS shape_ok,
		coalesce((SELECT string_agg(i || ':' || x, ' ' ORDER BY i)
				  FROM unnest(f) WITH ORDINALITY u(x, i) WHERE x <> 0), '')
		FROM ($vectors) v ORDER BY d, k";
}

sub compare
{
	my ($label, $got_text, $expected) = @_;
	my @got = split /\n/, $got_text;
	my ($bad, $shape_bad) = (0, 0);
	is(scalar(@got), scalar(keys %$expected), "$label: one row per vector");
	foreach my $row (@got)
	{
		my ($d, $k, $shape_ok, $sparse) = split /\|/, $row, 4;
		$sparse //= '';
		$shape_bad++ unless $shape_ok eq 't';
		my $want = $expected->{"$d/$k"};
		if (!defined $want || $sparse ne $want)
		{
			diag("$label: dim $d, vector $k: got '$sparse', expected '"
				  . ($want // 'no row') . "'")
			  if $bad++ < 5;
		}
	}
	is($shape_bad, 0, "$label: every vector is float8[dim] with lower bound 1");
	is($bad, 0, "$label: every vector equals the reference");
}

# 1. Each token alone, at every dim.  Run with parallel workers, which also
#    exercises PARALLEL SAFE.
my %expected;
foreach my $d (@dims)
{
	foreach my $k (0 .. $#tokens)
	{
		next if $d > $big && $k >= $big_tokens;
		$expected{"$d/$k"} = reference_vector([ $tokens[$k] ], $d);
	}
}
my $per_token = sparse_sql(
	"SELECT d, id AS k, feature_hash(ARRAY[tok], d) AS f
	 FROM tokens, (VALUES $dims_sql) dims(d)
	 WHERE d <= $big OR id < $big_tokens");
my $parallel = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;
	SET min_parallel_table_scan_size = 0; SET max_parallel_workers_per_gather = 2;
	SET parallel_leader_participation = off;';
like(
	$node->safe_psql('fh', "$parallel EXPLAIN (COSTS OFF) $per_token"),
	qr/Gather/, 'the per-token query runs in parallel workers');
compare('one token', $node->safe_psql('fh', "$parallel $per_token"), \%expected);

# 2. Groups of tokens with repeats (a token may appear several times in a
#    group), and all tokens at once.
my @groups;
for my $g (0 .. 59)
{
	my $n = 1 + rnd(40);
	push @groups, [ map { rnd(scalar @tokens) } 1 .. $n ];
}
push @groups, [ 0 .. $#tokens ];
push @groups, [ (1) x 7, (2) x 3, 3, 3 ];    # the INT32_MIN tokens, repeated
%expected = ();
foreach my $d (@dims)
{
	foreach my $g (0 .. $#groups)
	{
		next if $d > $big && $g <= $#groups - $big_groups;
		$expected{"$d/$g"} = reference_vector([ map { $tokens[$_] } @{ $groups[$g] } ], $d);
	}
}
my $group_values = join(",\n",
	map { "($_, '{" . join(',', @{ $groups[$_] }) . "}'::int[])" } 0 .. $#groups);
compare(
	'groups',
	$node->safe_psql(
		'fh',
		sparse_sql(
			"SELECT d, g AS k,
				feature_hash(ARRAY(SELECT t.tok FROM unnest(ids) WITH ORDINALITY m(id, o)
								   JOIN tokens t USING (id) ORDER BY o), d) AS f
			 FROM (VALUES $group_values) grp(g, ids), (VALUES $dims_sql) dims(d)
			 WHERE d <= $big OR g > $#groups - $big_groups")),
	\%expected);

$node->stop;
done_testing();
