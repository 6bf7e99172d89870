# A trusted install by a database owner who is not a superuser.
#
# trusted = true is safe for this extension and recommended: with the
# installed control file a non-superuser database owner gets exactly what
# the file says; in a private copy of the installation
# (test/t/lib/PrivateInstall.pm) whose control file says trusted = true, the
# database owner installs it (1.0 and 1.2, never 1.1), its members belong to
# the bootstrap superuser, the owner cannot turn the internal-argument
# support functions or C into anything, the same pre-created traps as in
# TAP 121 (test/t/lib/SchemaTraps.pm) stay inert when the owner installs
# into a schema of her own, an exact conflict she made makes the install
# fail, and she can drop the extension again.
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PrivateInstall qw(private_node);
use SchemaTraps qw(traps_in members_summary foreign_targets_of_calls);

my $node = PostgreSQL::Test::Cluster->new('installed');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\n");
$node->start;
my $sharedir = $node->config_data('--sharedir');

my $control_file = "$sharedir/extension/artbandit.control";
my $control = slurp_file($control_file);
my ($installed_trusted) = $control =~ /^\s*trusted\s*=\s*(\S+)/m;
$installed_trusted = ($installed_trusted // 'false') =~ /^'?(true|on|yes|1)'?$/i ? 1 : 0;

# The database owner's view of the extension in node $n, database $db.
sub owner_can_create
{
	my ($n, $db) = @_;
	return $n->psql($db, 'SET ROLE alice; CREATE EXTENSION artbandit');
}

$node->safe_psql('postgres', 'CREATE ROLE alice LOGIN; CREATE DATABASE shop OWNER alice');
{
	my ($ret, $out, $err) = owner_can_create($node, 'shop');
	if ($installed_trusted)
	{
		is($ret, 0, 'installed control says trusted: a database owner can CREATE EXTENSION');
	}
	else
	{
		like($err, qr/permission denied to create extension "artbandit"/,
			'installed control says not trusted: a database owner cannot CREATE EXTENSION');
	}
}
$node->stop;

# A private copy of the installation with a control file that says
# trusted = true.
(my $trusted_control = $control) =~ s/^\s*trusted\s*=.*$/trusted = true/m;
$trusted_control .= "trusted = true\n" unless $trusted_control =~ /^trusted = true$/m;
my ($tnode) = private_node($node, 'trusted', { 'artbandit.control' => $trusted_control });
my $tsuper = $tnode->safe_psql('postgres', 'SELECT current_user');
$tnode->safe_psql('postgres', q{
	CREATE ROLE alice LOGIN;              -- not a superuser, no CREATEDB, no CREATEROLE
	CREATE DATABASE shop OWNER alice;});
is( $tnode->safe_psql(
		'shop', q{SELECT string_agg(version || '=' || trusted, ' ' ORDER BY version)
		          FROM pg_available_extension_versions WHERE name = 'artbandit'}),
	'1.0=true 1.1=false 1.2=true',
	'the private copy offers artbandit as trusted, but for 1.1 (its job functions could be captured)');
like(($tnode->psql('shop', "SET ROLE alice; CREATE EXTENSION artbandit VERSION '1.1'"))[2],
	qr/permission denied to (create|update) extension "artbandit"/,
	'trusted: a database owner cannot install 1.1');
{
	my ($ret, $out, $err) = $tnode->psql('shop', q{SET ROLE alice; CREATE EXTENSION artbandit VERSION '1.0';
		ALTER EXTENSION artbandit UPDATE;
		SELECT extversion FROM pg_extension WHERE extname = 'artbandit'; DROP EXTENSION artbandit});
	is($out, '1.2', 'trusted: a database owner updates 1.0 straight to 1.2, never through 1.1') or diag($err);
}
{
	my ($ret, $out, $err) = owner_can_create($tnode, 'shop');
	is($ret, 0, 'trusted: a non-superuser database owner can CREATE EXTENSION artbandit') or diag($err);
}
is($tnode->safe_psql('shop', q{SELECT extowner::regrole FROM pg_extension WHERE extname = 'artbandit'}),
	'alice', 'the extension belongs to the database owner');
like(members_summary($tnode, 'shop'),
	qr/^\d+ members; owners: \Q$tsuper\E; foreign dependencies: none$/,
	'its members belong to the bootstrap superuser');
is( $tnode->safe_psql(
		'shop', q{SET ROLE alice;
		CREATE TABLE log AS SELECT * FROM simulate_impressions(2000, 5, 3, 8, 1);
		SELECT round(ope_estimate(ope_accumulate(played::int, propensity, 1.0 / 3), 'snips')::numeric, 6)
		     = round(avg(played::int)::numeric, 6)
		FROM log}),
	't', 'the owner uses it');

# What the owner still cannot do.
for my $attempt (
	[
		'reuse an internal-state support function in her own aggregate',
		q{CREATE AGGREGATE my_fit(int8, float8[], float8) (SFUNC = bandit_fit_transition, STYPE = internal,
		  FINALFUNC = bandit_fit_final)},
		qr/aggregate transition data type cannot be internal/
	],
	[
		'point a C function at one of our symbols',
		q{CREATE FUNCTION my_recv(internal) RETURNS int AS '$libdir/artbandit', 'banditmodel_recv' LANGUAGE C},
		qr/permission denied for language c/
	],
	[
		'alter a member',
		'ALTER FUNCTION feature_hash(text[], int4) LEAKPROOF',
		qr/must be owner|only superuser can define a leakproof function/
	],
	[
		'replace a member',
		q{CREATE OR REPLACE FUNCTION policy_value(float8[], float8[]) RETURNS float8 LANGUAGE sql AS 'SELECT 1::float8'},
		qr/must be owner/
	],
	[ 'call a support function on internal', 'SELECT bandit_fit_final(NULL::internal)', qr/cannot cast type unknown to internal/ ])
{
	my ($what, $sql, $expect) = @$attempt;
	my ($ret, $out, $err) = $tnode->psql('shop', "SET ROLE alice; $sql");
	like($err, $expect, "trusted: the owner cannot $what");
}

# The owner as the attacker: traps in a schema of her own, then she installs
# (the script runs as the bootstrap superuser).
$tnode->safe_psql('shop', 'SET ROLE alice; DROP EXTENSION artbandit; DROP TABLE log');
$tnode->safe_psql('shop', 'SET ROLE alice; CREATE SCHEMA mine; ' . traps_in('mine'));
{
	my ($ret, $out, $err) = $tnode->psql('shop', 'SET ROLE alice; CREATE EXTENSION artbandit SCHEMA mine');
	is($ret, 0, 'trusted: the owner installs into her own schema full of traps') or diag($err);
}
like(members_summary($tnode, 'shop'),
	qr/^\d+ members; owners: \Q$tsuper\E; foreign dependencies: none$/,
	'trusted, owner-made traps: members owned by the bootstrap superuser, no dependency on her objects');
is(foreign_targets_of_calls($tnode, 'shop', undef, 'mine'), 'none',
	"trusted, owner-made traps: a superuser's typed calls resolve to the extension");
is($tnode->safe_psql('shop', q{SELECT count(*) FROM mine.audit WHERE who <> 'alice'}),
	'0', 'trusted, owner-made traps: none of her code ran as anyone else');
$tnode->safe_psql('shop', q{SET ROLE alice; CREATE SCHEMA clash;
	CREATE FUNCTION clash.feature_hash(text[], int4) RETURNS float8[] LANGUAGE sql AS $$ SELECT '{666}'::float8[] $$;
	DROP EXTENSION artbandit});
{
	my ($ret, $out, $err) = $tnode->psql('shop', 'SET ROLE alice; CREATE EXTENSION artbandit SCHEMA clash');
	like($err, qr/already exists with same argument types/,
		'trusted: an owner-made exact conflict makes the install fail');
}
{
	my ($ret, $out, $err) = $tnode->psql('shop',
		'SET ROLE alice; CREATE EXTENSION artbandit; DROP EXTENSION artbandit');
	is($ret, 0, 'trusted: the owner can install and drop it again') or diag($err);
}

$tnode->stop;
done_testing();
