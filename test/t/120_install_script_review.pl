# Install-script review: every artbandit--*.sql (source tree and installed)
# has the CREATE EXTENSION guard, no IF NOT EXISTS, no SECURITY DEFINER, no
# DO blocks, no @extschema@ inside quotes (in a dollar-quoted body only as
# the qualification @extschema@.name), CREATE OR REPLACE only of a function
# an earlier version's script created, C functions only through
# MODULE_PATHNAME or $libdir, and every SQL or PL/pgSQL body either sets
# search_path or qualifies every function and operator.  The checker
# (test/t/lib/InstallScripts.pm, on the lexer in test/t/lib/SqlLexer.pm) is
# itself tested on bad snippets first.
#
# What the installed scripts do when untrusted roles have planted objects is
# TAP 121; the trusted install by a database owner is TAP 122.
use strict;
use warnings;

use File::Basename qw(dirname);
use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use InstallScripts qw(review_script extension_scripts earlier_functions);

my $srcdir = dirname(__FILE__) . '/../..';

# The checker catches what it is meant to catch.
my %bad = (
	'CREATE OR REPLACE' =>
	  q{CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';},
	'SECURITY DEFINER' => q{CREATE FUNCTION f() RETURNS int
		LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';},
	'@extschema@ inside quotes' =>
	  q{CREATE FUNCTION f() RETURNS text LANGUAGE sql SET search_path = pg_catalog AS 'SELECT ''@extschema@.g''';},
	'@extschema@ quoted inside a dollar-quoted body' => q{CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql
		SET search_path = pg_catalog AS $$BEGIN RETURN "@extschema@".g(); END$$;},
	'@extschema@ in a body not as a qualification' => q{CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql
		SET search_path = pg_catalog, @extschema@ AS $$BEGIN RETURN @extschema@ ; END$$;},
	'unqualified call' =>
	  q{CREATE FUNCTION f(x float8) RETURNS float8 LANGUAGE sql AS $$ SELECT abs(x) $$;},
	'operator' =>
	  q{CREATE FUNCTION f(x float8) RETURNS float8 LANGUAGE sql AS $$ SELECT pg_catalog.abs(x) + 1 $$;},
	'unqualified type' =>
	  q{CREATE FUNCTION f(x text) RETURNS int LANGUAGE sql AS $$ SELECT pg_catalog.length(x::ope_state::text) $$;},
	'BEGIN ATOMIC' => q{CREATE FUNCTION f(x float8) RETURNS float8 LANGUAGE sql
		BEGIN ATOMIC SELECT sqrt(x); END;},
	'IF NOT EXISTS' => q{CREATE TABLE IF NOT EXISTS t (x int);},
	'DO block' => q{DO $$BEGIN PERFORM 1; END$$;},
	'hard-coded library' =>
	  q{CREATE FUNCTION f() RETURNS int AS '/usr/lib/postgresql/15/lib/x.so', 'f' LANGUAGE C;});
my $guard = qq{\\echo Use "CREATE EXTENSION artbandit" to load this file. \\quit\n};
for my $what (sort keys %bad)
{
	ok(scalar(review_script($guard . $bad{$what})) > 0, "the checker flags $what");
}
ok(scalar(review_script($bad{'CREATE OR REPLACE'} =~ s/OR REPLACE //r)) > 0,
	'the checker flags a missing \echo guard');
is_deeply(
	[
		review_script(
			$guard . q{
		-- a comment with CREATE OR REPLACE and SECURITY DEFINER
		COMMENT ON TYPE t IS 'not IF NOT EXISTS; @extschema@ in a comment string is text';
		CREATE FUNCTION f(x float8) RETURNS float8 LANGUAGE sql IMMUTABLE
			SET search_path = pg_catalog, pg_temp AS $$ SELECT abs(x) + 1 $$;
		CREATE FUNCTION g(x float8) RETURNS float8 LANGUAGE sql IMMUTABLE
			BEGIN ATOMIC SELECT pg_catalog.abs(x) OPERATOR(pg_catalog.+) 1; END;
		CREATE FUNCTION h(cstring) RETURNS int AS 'MODULE_PATHNAME', 'h' LANGUAGE C STRICT;})
	],
	[ '@extschema@ inside quotes' ],
	'the checker accepts safe bodies and comments (and flags @extschema@ in any string)');
is_deeply(
	[
		review_script(
			$guard . q{
		CREATE OR REPLACE FUNCTION f(x float8) RETURNS float8 LANGUAGE plpgsql
			SET search_path = pg_catalog, pg_temp
			AS $$ BEGIN EXECUTE 'SELECT @extschema@.h()'; RETURN @extschema@.g(x::float8); END $$;},
			{ f => 1 })
	],
	[],
	'the checker accepts @extschema@.name in a body (and its dynamic SQL), and CREATE OR REPLACE of a function an earlier script created');
ok(scalar(review_script($guard . q{CREATE OR REPLACE FUNCTION h() RETURNS int LANGUAGE sql
		SET search_path = pg_catalog AS 'SELECT 1';}, { f => 1 })) > 0,
	'the checker flags CREATE OR REPLACE of a function no earlier script created');

my $sharedir = PostgreSQL::Test::Cluster->new('script_review')->config_data('--sharedir');
my $scripts = extension_scripts($srcdir, $sharedir);
ok(scalar(grep { /^source / } keys %$scripts) >= 1, 'the source tree has an install script');
ok(scalar(grep { /^installed / } keys %$scripts) >= 1, 'an install script is installed');

for my $name (sort keys %$scripts)
{
	my @problems = review_script(slurp_file($scripts->{$name}), earlier_functions($scripts, $name));
	is_deeply(\@problems, [], "review of $name: nothing unsafe")
	  or diag(join("\n", @problems));
}

done_testing();
