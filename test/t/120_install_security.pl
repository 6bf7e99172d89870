# Install-script security.
#
# (a) A review of every artbandit--*.sql (source tree and installed): the
#     CREATE EXTENSION guard, no IF NOT EXISTS, no
#     SECURITY DEFINER, no DO blocks, no @extschema@ inside quotes (in a
#     dollar-quoted body only as the qualification @extschema@.name), CREATE
#     OR REPLACE only of a function an earlier version's script created, C
#     functions only through MODULE_PATHNAME or $libdir, and every SQL or
#     PL/pgSQL body either sets search_path or qualifies every function and
#     operator.  The checker is itself tested on bad snippets.
# (b) An unprivileged role that owns the target schema pre-creates objects
#     with our names: exact conflicts (a domain named ope_state, a table, a
#     composite type or an enum named ope_result or banditmodel,
#     feature_hash(text[], int4), policy_value(float8[], float8[])) make
#     CREATE EXTENSION ... SCHEMA fail (a shell type would need a superuser);
#     near misses (other overloads, operators on float8, all of them logging
#     who runs them) leave the install intact: every member is owned by the
#     superuser, depends on nothing the role owns, typed calls resolve to the
#     extension's C functions (pg_depend of a view), no trap ever runs, and
#     the role can neither replace, alter, rename nor drop a member.  What
#     PostgreSQL's overload resolution still allows (an exact-match overload
#     capturing a call written with untyped literals) is shown, as the reason
#     to install only into a schema where untrusted roles cannot CREATE.
# (c) trusted = true is safe for this extension and recommended: with the
#     installed control file a non-superuser database owner gets exactly
#     what the file says; in a private copy of the installation whose
#     control file says trusted = true, the database owner installs it, its
#     members belong to the bootstrap superuser, the owner cannot turn the
#     internal-argument support functions or C into anything, the same
#     pre-created traps stay inert when the owner installs into a schema of
#     her own, and she can drop the extension again.
use strict;
use warnings;

use File::Basename qw(dirname basename);
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $srcdir = dirname(__FILE__) . '/../..';

# ---------------------------------------------------------------------------
# (a) review of the install and upgrade scripts
# ---------------------------------------------------------------------------

# Split SQL into code (string literals, quoted identifiers and dollar-quoted
# bodies replaced by placeholders, comments removed) and the pieces taken out.
sub lex_sql
{
	my ($text) = @_;
	my (@strings, @bodies);
	my $code = '';
	pos($text) = 0;
	while (pos($text) < length $text)
	{
		if ($text =~ /\G--[^\n]*/gc) { $code .= ' '; next; }
		if ($text =~ /\G\/\*/gc)
		{
			my $depth = 1;
			while ($depth > 0 && pos($text) < length $text)
			{
				if    ($text =~ /\G\/\*/gc) { $depth++; }
				elsif ($text =~ /\G\*\//gc) { $depth--; }
				else                         { $text =~ /\G./gcs; }
			}
			$code .= ' ';
			next;
		}
		if ($text =~ /\G(\$(?:[A-Za-z_][A-Za-z_0-9]*)?\$)/gc)
		{
			my $tag = $1;
			my $start = pos($text);
			my $end = index($text, $tag, $start);
			die "unterminated dollar quote $tag" if $end < 0;
			push @bodies, substr($text, $start, $end - $start);
			$code .= " \$BODY$#bodies\$ ";
			pos($text) = $end + length $tag;
			next;
		}
		if ($text =~ /\G[Ee]'((?:[^'\\]|\\.|'')*)'/gcs)
		{
			push @strings, $1;
			$code .= " 'STR$#strings' ";
			next;
		}
		if ($text =~ /\G'((?:[^']|'')*)'/gc)
		{
			push @strings, $1;
			$code .= " 'STR$#strings' ";
			next;
		}
		if ($text =~ /\G"((?:[^"]|"")*)"/gc)
		{
			push @strings, $1;    # quoted identifiers are quotes too
			$code .= ' "QID" ';
			next;
		}
		$text =~ /\G(.)/gcs;
		$code .= $1;
	}
	return ($code, \@strings, \@bodies);
}

# Words that look like calls but are syntax.
my %syntax = map { $_ => 1 } qw(
  select from where and or not in exists any all some case when then else end
  coalesce nullif greatest least array row values cast over filter within
  group by order partition as on using join lateral with recursive returning
  extract overlay position substring trim is null true false distinct
  interval current_date current_timestamp localtime localtimestamp limit offset
  return into if elsif loop for foreach while begin declare perform execute);

# Problems of one SQL-language (or PL) body without SET search_path:
# unqualified function calls and operators not written as OPERATOR(s.op).
sub unqualified_in_body
{
	my ($body) = @_;
	my ($code) = lex_sql($body);
	my @problems;
	$code =~ s/OPERATOR\s*\(\s*\w+\s*\.\s*[^)]+\)/ /gi;
	while ($code =~ /(?<![.\w])([A-Za-z_]\w*)\s*\(/g)
	{
		push @problems, "unqualified call $1()" unless $syntax{ lc $1 };
	}
	my $ops = $code;
	$ops =~ s/::/ /g;    # casts are checked by the type rule below
	$ops =~ s/[()\[\],;.:\$\d\w\s'"]+/ /g;
	push @problems, "operator $1 not written as OPERATOR(pg_catalog.$1)"
	  while $ops =~ /([-+*\/<>=~!@#%^&|`?]+)/g;
	while ($code =~ /::\s*([A-Za-z_]\w*)(?!\s*\.)/g)
	{
		push @problems, "unqualified type ::$1";
	}
	return @problems;
}

# \@extschema\@ in a dollar-quoted body is allowed only as a schema
# qualification (\@extschema\@.name, in code or in the text of dynamic SQL),
# never inside a quoted identifier.  The server refuses extension schema
# names with any of " $ ' \\ (15.4 and later; TAP 125 checks it), so the
# substituted name can end neither the body nor a string in it.
sub extschema_in_body_problems
{
	my ($body) = @_;
	my @problems;
	push @problems, '@extschema@ in a body not written as @extschema@.name'
	  if $body =~ /(?<=["\w])\@extschema\@|\@extschema\@(?!\.[A-Za-z_])/;
	return @problems;
}

# Functions an earlier script created (names), which an upgrade script may
# CREATE OR REPLACE; the server itself refuses to replace a function that
# is not a member of the extension.
sub created_functions
{
	my ($text) = @_;
	my ($code) = lex_sql($text);
	my %names;
	$names{ lc $1 } = 1 while $code =~ /\bCREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+(\w+)\s*\(/gi;
	return \%names;
}

# Every problem found in one script; $earlier: names of the functions
# created by the scripts before it (for an upgrade script).
sub review_script
{
	my ($text, $earlier) = @_;
	my @problems;
	my ($code, $strings, $bodies) = lex_sql($text);

	push @problems, 'no \echo ... \quit guard against running the script in psql'
	  unless $text =~ /^\\echo Use "(?:CREATE EXTENSION artbandit|ALTER EXTENSION artbandit UPDATE)[^"]*" to load this file\. \\quit$/m;
	push @problems, '@extschema@ inside quotes'
	  if grep { /\@extschema\@/ } @$strings;
	push @problems, extschema_in_body_problems($_) for @$bodies;

	# Statements (psql meta-commands dropped), keeping BEGIN ATOMIC ... END
	# bodies whole.
	$code =~ s/^[ \t]*\\[^\n]*//mg;
	my @pieces = split /;/, $code;
	my @statements;
	while (@pieces)
	{
		my $s = shift @pieces;
		if ($s =~ /\bBEGIN\s+ATOMIC\b/i)
		{
			$s .= ';' . shift @pieces while @pieces && $s !~ /;\s*END\s*$/i;
		}
		push @statements, $s;
	}
	my %created = $earlier ? %$earlier : ();
	for my $s (@statements)
	{
		(my $one = $s) =~ s/\s+/ /g;
		$one =~ s/^ //;
		my $head = substr($one, 0, 60);
		if ($one =~ /\bCREATE OR REPLACE\b/i)
		{
			my ($fn) = $one =~ /^CREATE OR REPLACE FUNCTION (\w+)\s*\(/i;
			push @problems, "CREATE OR REPLACE of something no earlier script created: $head"
			  unless defined $fn && $created{ lc $fn };
		}
		$created{ lc $1 } = 1 if $one =~ /^CREATE FUNCTION (\w+)\s*\(/i;
		push @problems, "IF NOT EXISTS: $head"     if $one =~ /\bIF NOT EXISTS\b/i;
		push @problems, "SECURITY DEFINER: $head"  if $one =~ /\bSECURITY DEFINER\b/i;
		push @problems, "DO block: $head"          if $one =~ /^DO\b/i;
		next unless $one =~ /^CREATE (?:OR REPLACE )?(?:FUNCTION|PROCEDURE)\b/i;

		my ($lang) = $one =~ /\bLANGUAGE\s+(\w+)/i;
		$lang = $strings->[$1] if $one =~ /\bLANGUAGE\s+'STR(\d+)'/i;
		$lang = lc($lang // 'sql');
		if ($lang eq 'c')
		{
			my ($obj) = $one =~ /\bAS\s+'STR(\d+)'/i;
			my $file = defined $obj ? $strings->[$obj] : '';
			push @problems, "C function not loaded from MODULE_PATHNAME or \$libdir ($file): $head"
			  unless $file eq 'MODULE_PATHNAME' || $file =~ /^\$libdir\//;
			next;
		}
		next if $lang eq 'internal';
		next if $one =~ /\bSET search_path\b/i;
		my @body;
		push @body, $bodies->[$1]  while $one =~ /\$BODY(\d+)\$/g;
		push @body, $strings->[$1] while $one =~ /\bAS\s+'STR(\d+)'/gi;
		push @body, $1 if $one =~ /\bBEGIN ATOMIC\b(.*)\bEND\s*$/i;
		push @problems, map { "$_ (no SET search_path): $head" } unqualified_in_body($_)
		  for @body;
	}
	return @problems;
}

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

my $probe = PostgreSQL::Test::Cluster->new('install_security');
my $sharedir = $probe->config_data('--sharedir');
my %scripts;
$scripts{"source " . basename($_)} = $_ for glob("$srcdir/artbandit--*.sql");
$scripts{"installed " . basename($_)} = $_
  for glob("$sharedir/extension/artbandit--*.sql");
ok(scalar(grep { /^source / } keys %scripts) >= 1, 'the source tree has an install script');
ok(scalar(grep { /^installed / } keys %scripts) >= 1, 'an install script is installed');
# The versions a script brings its objects to, and the functions created
# by every script reaching at most a given version.
sub script_versions
{
	my ($file) = @_;
	my ($from, $to) = basename($file) =~ /^artbandit--([\d.]+)(?:--([\d.]+))?\.sql$/;
	return defined $to ? ($from, $to) : (undef, $from);
}

sub version_le
{
	my ($a, $b) = @_;
	my @a = split /\./, $a;
	my @b = split /\./, $b;
	for my $i (0 .. 1)
	{
		return $a[$i] < $b[$i] if ($a[$i] // 0) != ($b[$i] // 0);
	}
	return 1;
}

for my $name (sort keys %scripts)
{
	my ($from) = script_versions($scripts{$name});
	my %earlier;
	if (defined $from)
	{
		my ($where) = $name =~ /^(\w+) /;
		for my $other (grep { /^$where / } keys %scripts)
		{
			my (undef, $to) = script_versions($scripts{$other});
			next unless version_le($to, $from);
			%earlier = (%earlier, %{ created_functions(slurp_file($scripts{$other})) });
		}
	}
	my @problems = review_script(slurp_file($scripts{$name}), defined $from ? \%earlier : undef);
	is_deeply(\@problems, [], "review of $name: nothing unsafe")
	  or diag(join("\n", @problems));
}

# ---------------------------------------------------------------------------
# (b) objects pre-created by the owner of the target schema
# ---------------------------------------------------------------------------

my $node = $probe;
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\n");
$node->start;
my $super = $node->safe_psql('postgres', 'SELECT current_user');

# The traps: near-miss overloads and operators that record who ran them.
# %s is the schema.
my $traps = q{
	CREATE TABLE %s.audit (who name, what text);
	GRANT INSERT, SELECT ON %s.audit TO PUBLIC;
	CREATE FUNCTION %s.trap(what text) RETURNS bool LANGUAGE sql VOLATILE
		AS $$ INSERT INTO %s.audit VALUES (current_user, what) RETURNING true $$;
	CREATE FUNCTION %s.feature_hash(text[], int8) RETURNS float8[] LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('feature_hash(text[],int8)') THEN '{666}'::float8[] END $$;
	CREATE FUNCTION %s.feature_hash(text, int4) RETURNS float8[] LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('feature_hash(text,int4)') THEN '{666}'::float8[] END $$;
	CREATE FUNCTION %s.policy_value(numeric[], numeric[]) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('policy_value(numeric[],numeric[])') THEN 666::float8 END $$;
	CREATE FUNCTION %s.simulate_impressions(int4, int4, int4, int4, int4) RETURNS SETOF int
		LANGUAGE sql VOLATILE AS $$ SELECT 666 WHERE %s.trap('simulate_impressions(int4...)') $$;
	CREATE FUNCTION %s.float8(numeric) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('float8(numeric)') THEN 666::float8 END $$;
	CREATE FUNCTION %s.evil_op(float8, float8) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('operator on float8') THEN 666::float8 END $$;
	CREATE FUNCTION %s.evil_op(float8, numeric) RETURNS float8 LANGUAGE sql VOLATILE
		AS $$ SELECT CASE WHEN %s.trap('operator on float8, numeric') THEN 666::float8 END $$;
	CREATE OPERATOR %s.+ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = %s.evil_op);
	CREATE OPERATOR %s.* (LEFTARG = float8, RIGHTARG = numeric, FUNCTION = %s.evil_op);
	CREATE OPERATOR %s.= (LEFTARG = float8, RIGHTARG = numeric, FUNCTION = %s.evil_op);
};

sub traps_in
{
	my ($schema) = @_;
	return $traps =~ s/%s/$schema/gr;
}

# Members of the extension: identity, owner, and anything outside pg_catalog
# and the extension that they depend on.
my $members_sql = q{
	WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'artbandit'),
	m AS (SELECT d.classid, d.objid FROM pg_depend d, ext
	      WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'),
	owner AS (
		SELECT m.classid, m.objid, coalesce(p.proowner, t.typowner) AS owner
		FROM m LEFT JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
		       LEFT JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid)
	SELECT (SELECT count(*) FROM m) || ' members; owners: '
	    || (SELECT string_agg(DISTINCT owner::regrole::text, ',') FROM owner)
	    || '; foreign dependencies: '
	    || coalesce((SELECT string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', ')
	                 FROM m JOIN pg_depend d ON d.classid = m.classid AND d.objid = m.objid
	                 LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
	                 LEFT JOIN pg_type t ON d.refclassid = 'pg_type'::regclass AND t.oid = d.refobjid
	                 LEFT JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
	                 WHERE d.deptype = 'n'
	                   AND coalesce(p.pronamespace, t.typnamespace, o.oprnamespace)
	                       <> 'pg_catalog'::regnamespace
	                   AND NOT EXISTS (SELECT 1 FROM m m2 WHERE m2.classid = d.refclassid
	                                   AND m2.objid = d.refobjid)), 'none')};

# Functions and operators a view of typed calls depends on, outside the
# extension's C functions and pg_catalog.
sub foreign_targets_of_calls
{
	my ($node, $db, $role, $schema) = @_;
	my $role_sql = $role ? "SET ROLE $role;" : '';
	return $node->safe_psql(
		$db, qq{
		$role_sql
		SET search_path = $schema, public;
		CREATE TEMP VIEW typed_calls AS
		SELECT feature_hash(ARRAY['genre=anime', 'country=BR'], 8) AS a,
		       feature_hash(ARRAY['x']::text[], 16::int4) AS b,
		       policy_value(ARRAY[0.25, 0.75]::float8[], ARRAY[1, 2]::float8[]) AS c,
		       ope_estimate(ope_merge(NULL::ope_state, NULL::ope_state), 'ips') AS d,
		       (SELECT ope_accumulate(r, 0.5::float8, 1::float8) FROM (VALUES (1.0::float8)) v(r)) AS e,
		       (SELECT ope_accumulate(r, 0.5::float8, 1::float8, 0.25::float8, 0.5::float8)
		          FROM (VALUES (1.0::float8)) v(r)) AS f,
		       (SELECT bandit_fit(1::int8, ARRAY[1, 0.5]::float8[], 1.0::float8)) AS g,
		       bandit_predict(NULL::banditmodel, ARRAY[1, 0.5]::float8[], 1::int8) AS h,
		       bandit_probabilities(NULL::banditmodel, ARRAY[1, 0.5]::float8[], NULL::int8[], 'greedy') AS i,
		       (SELECT count(*) FROM simulate_impressions(10::int8, 2, 2, 4, 1::int8)) AS j,
		       0.5::float8 + 0.25::float8 AS k;
		} . q{
		SELECT coalesce(string_agg(DISTINCT pg_describe_object(d.refclassid, d.refobjid, 0), ', '), 'none')
		FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
		LEFT JOIN pg_proc p ON d.refclassid = 'pg_proc'::regclass AND p.oid = d.refobjid
		LEFT JOIN pg_operator o ON d.refclassid = 'pg_operator'::regclass AND o.oid = d.refobjid
		WHERE r.ev_class = 'typed_calls'::regclass
		  AND d.refclassid IN ('pg_proc'::regclass, 'pg_operator'::regclass)
		  AND coalesce(p.pronamespace, o.oprnamespace) <> 'pg_catalog'::regnamespace
		  AND NOT (p.oid IS NOT NULL AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
		           AND p.probin = '$libdir/artbandit'
		           AND EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = 'pg_proc'::regclass
		                       AND e.objid = p.oid AND e.deptype = 'e'))
		  AND NOT (p.prokind = 'a' AND EXISTS (SELECT 1 FROM pg_depend e
		           WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype = 'e'))});
}

$node->safe_psql(
	'postgres', q{
	CREATE ROLE mallory LOGIN;
	CREATE DATABASE victim;});

# Exact conflicts: the install must fail, naming the object.
my @conflicts = (
	[ 'a domain named ope_state', 'CREATE DOMAIN %s.ope_state AS int', qr/type "ope_state" already exists/ ],
	[ 'a table named ope_result', 'CREATE TABLE %s.ope_result (x int)', qr/"ope_result" already exists/ ],
	[ 'a table named banditmodel', 'CREATE TABLE %s.banditmodel (x int)', qr/"banditmodel" already exists/ ],
	[ 'a composite type named banditmodel', 'CREATE TYPE %s.banditmodel AS (x int)', qr/"banditmodel" already exists/ ],
	[ 'an enum named ope_result', q{CREATE TYPE %s.ope_result AS ENUM ('ips')}, qr/"ope_result" already exists/ ],
	[
		'a function feature_hash(text[], int4)',
		q{CREATE FUNCTION %s.feature_hash(text[], int4) RETURNS float8[] LANGUAGE sql AS $$ SELECT '{666}'::float8[] $$},
		qr/function "feature_hash" already exists with same argument types/
	],
	[
		'a function policy_value(float8[], float8[])',
		q{CREATE FUNCTION %s.policy_value(float8[], float8[]) RETURNS float8 LANGUAGE sql AS 'SELECT 666::float8'},
		qr/function "policy_value" already exists with same argument types/
	]);
my $k = 0;
for my $c (@conflicts)
{
	my ($what, $sql, $expect) = @$c;
	my $schema = 'conflict' . $k++;
	$node->safe_psql('victim',
		"CREATE SCHEMA $schema AUTHORIZATION mallory; SET ROLE mallory; " . ($sql =~ s/%s/$schema/gr));
	my ($ret, $out, $err) = $node->psql('victim', "CREATE EXTENSION artbandit SCHEMA $schema");
	isnt($ret, 0, "pre-created $what: CREATE EXTENSION ... SCHEMA fails");
	like($err, $expect, "pre-created $what: the error names the conflict");
	is($node->safe_psql('victim', "SELECT count(*) FROM pg_extension WHERE extname = 'artbandit'"),
		'0', "pre-created $what: nothing is left installed");
}

# Near misses: the install succeeds and is unaffected.
$node->safe_psql('victim',
	'CREATE SCHEMA trap AUTHORIZATION mallory; SET ROLE mallory; ' . traps_in('trap'));
$node->safe_psql('victim', 'CREATE EXTENSION artbandit SCHEMA trap');
like($node->safe_psql('victim', $members_sql),
	qr/^\d+ members; owners: \Q$super\E; foreign dependencies: none$/,
	'with traps in the schema: every member is owned by the superuser and depends on nothing of the schema owner');
is(foreign_targets_of_calls($node, 'victim', undef, 'trap'), 'none',
	"the superuser's typed calls resolve to the extension's functions and pg_catalog");
is(foreign_targets_of_calls($node, 'victim', 'mallory', 'trap'), 'none',
	"the schema owner's typed calls resolve to the extension's functions and pg_catalog");
is($node->safe_psql('victim', 'SELECT count(*) FROM trap.audit'),
	'0', 'no trap ran during the install or the typed calls');
is( $node->safe_psql(
		'victim', q{SET search_path = trap;
		SELECT feature_hash(ARRAY['genre=anime'], 4)::text
		       || ' ' || policy_value(ARRAY[0.5, 0.5]::float8[], ARRAY[1, 3]::float8[])
		       || ' ' || (SELECT count(*) FROM simulate_impressions(3::int8, 2, 2, 4, 1::int8))
		       || ' ' || ope_estimate((SELECT ope_accumulate(1, 0.5, 1)), 'ips')}),
	'{0,0,0,-1} 2 3 2',    # the traps would answer {666} and 666
	'calls with typed (or exactly matching) arguments give the extension\'s answers');
is($node->safe_psql('victim', 'SELECT count(*) FROM trap.audit'),
	'0', 'no trap ran');

# The hazard PostgreSQL's overload resolution leaves (not fixable in the
# extension, hence the README's advice to install only into a schema where
# untrusted roles cannot CREATE): a call with untyped numeric or integer
# literals prefers an exact-match overload that the schema owner added, and
# runs it as the caller -- here the superuser.
is( $node->safe_psql(
		'victim', q{SET search_path = trap;
		SELECT policy_value(ARRAY[0.5, 0.5], ARRAY[1, 3])
		       || ' ' || (SELECT count(*) FROM simulate_impressions(3, 2, 2, 4, 1));
		SELECT string_agg(who || ':' || what, ', ' ORDER BY what) FROM trap.audit}),
	"666 1\n$super:policy_value(numeric[],numeric[]), $super:simulate_impressions(int4...)",
	'documented hazard: literal-typed calls are captured by the schema owner\'s exact overloads');
$node->safe_psql('victim', 'TRUNCATE trap.audit');

# The schema owner cannot replace, alter, rename or drop a member.
for my $attempt (
	[ 'replace', q{CREATE OR REPLACE FUNCTION trap.feature_hash(text[], int4) RETURNS float8[]
	               LANGUAGE sql AS $$ SELECT '{666}'::float8[] $$}, qr/must be owner/ ],
	[ 'alter', 'ALTER FUNCTION trap.feature_hash(text[], int4) VOLATILE', qr/must be owner/ ],
	[ 'rename', 'ALTER TYPE trap.ope_state RENAME TO old_state', qr/must be owner/ ],
	[ 'drop', 'DROP FUNCTION trap.feature_hash(text[], int4)', qr/extension artbandit requires it/ ],
	[ 'drop a type', 'DROP TYPE trap.banditmodel CASCADE', qr/extension artbandit requires it/ ])
{
	my ($what, $sql, $expect) = @$attempt;
	my ($ret, $out, $err) = $node->psql('victim', "SET ROLE mallory; $sql");
	like($err, $expect, "the schema owner cannot $what a member");
}
like($node->safe_psql('victim', $members_sql),
	qr/^\d+ members; owners: \Q$super\E; foreign dependencies: none$/,
	'the members are unchanged');

# Internal-argument support functions cannot be called from SQL at all.
for my $call (
	'bandit_fit_final(NULL)', 'bandit_fit_final(NULL::internal)',
	'bandit_fit_combine(NULL, NULL)', q{bandit_fit_transition(NULL, 1, '{1}', 1)},
	'bandit_fit_serialize(NULL)', q{bandit_fit_deserialize('\x00', NULL)},
	'bandit_merge_transition(NULL, NULL)', 'ope_state_recv(NULL)', 'banditmodel_recv(NULL)')
{
	my ($ret, $out, $err) = $node->psql('victim', "SET ROLE mallory; SET search_path = trap; SELECT $call");
	like($err, qr/does not exist|cannot cast type unknown to internal/,
		"$call cannot be called from SQL");
}

# ---------------------------------------------------------------------------
# (c) trusted
# ---------------------------------------------------------------------------

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

# A private copy of the installation (bin, lib, share), with a control file
# that says trusted = true.  The server finds its share and lib directories
# relative to its own binary, so the copy is self-contained.
my ($bindir, $pkglibdir) = $node->config_data('--bindir', '--pkglibdir');
my $root = PostgreSQL::Test::Utils::tempdir('trusted_install');
for my $dir (dirname($bindir), $sharedir)
{
	make_path(dirname("$root$dir"));
	system('cp', '-a', $dir, "$root$dir") == 0 or die "cp -a $dir: $?";
}
my $private_control = "$root$sharedir/extension/artbandit.control";
unlink $private_control or die $!;
(my $trusted_control = $control) =~ s/^\s*trusted\s*=.*$/trusted = true/m;
$trusted_control .= "trusted = true\n" unless $trusted_control =~ /^trusted = true$/m;
open(my $fh, '>', $private_control) or die $!;
print $fh $trusted_control;
close $fh;

my $tnode = PostgreSQL::Test::Cluster->new('trusted', install_path => $root . dirname($bindir));
is(($tnode->config_data('--sharedir'))[0], "$root$sharedir", 'the private copy uses its own share directory');
$tnode->init;
$tnode->append_conf('postgresql.conf', "fsync = off\n");
$tnode->start;
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
like($tnode->safe_psql('shop', $members_sql),
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
like($tnode->safe_psql('shop', $members_sql),
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
