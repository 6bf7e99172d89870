# The extension's versioned scripts (artbandit--V.sql, artbandit--A--B.sql):
# where they are, which versions they bring, what the earlier ones created,
# and the review of one script against the install-script rule (TAP 120; the
# scripts' names and whole scripts also serve TAP 150).
package InstallScripts;

use strict;
use warnings;

use File::Basename qw(basename);
use PostgreSQL::Test::Utils qw(slurp_file);
use SqlLexer qw(lex_sql unqualified_in_body extschema_in_body_problems created_functions);

use Exporter 'import';
our @EXPORT_OK = qw(review_script extension_scripts script_versions version_le
  earlier_functions scripts_in whole_script);

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

# Every artbandit--*.sql of the source tree $srcdir and of the installation
# with share directory $sharedir: "source NAME" / "installed NAME" => path.
sub extension_scripts
{
	my ($srcdir, $sharedir) = @_;
	my %scripts;
	$scripts{ "source " . basename($_) } = $_ for glob("$srcdir/artbandit--*.sql");
	$scripts{ "installed " . basename($_) } = $_
	  for glob("$sharedir/extension/artbandit--*.sql");
	return \%scripts;
}

# The versions a script brings its objects from and to (undef and V for an
# install script artbandit--V.sql).
sub script_versions
{
	my ($file) = @_;
	my ($from, $to) = basename($file) =~ /^artbandit--(.+?)(?:--(.+))?\.sql$/;
	return defined $to ? ($from, $to) : (undef, $from);
}

# Version $a is at most version $b (numerically, part by part).
sub version_le
{
	my ($a, $b) = @_;
	my @a = split /\./, $a;
	my @b = split /\./, $b;
	for my $i (0 .. ($#a > $#b ? $#a : $#b))
	{
		return $a[$i] < $b[$i] if ($a[$i] // 0) != ($b[$i] // 0);
	}
	return 1;
}

# The names of the functions created by every script of the same place
# (source or installed) in $scripts (as extension_scripts returns it) that
# reaches at most the version the upgrade script $name starts from: what
# $name may CREATE OR REPLACE.  undef for an install script.
sub earlier_functions
{
	my ($scripts, $name) = @_;
	my ($from) = script_versions($scripts->{$name});
	return undef unless defined $from;
	my ($where) = $name =~ /^(\w+) /;
	my %earlier;
	for my $other (grep { /^$where / } keys %$scripts)
	{
		my (undef, $to) = script_versions($scripts->{$other});
		next unless version_le($to, $from);
		%earlier = (%earlier, %{ created_functions(slurp_file($scripts->{$other})) });
	}
	return \%earlier;
}

# The versions with an install script in extension directory $extdir, and
# the upgrade steps ([from, to]).
sub scripts_in
{
	my ($extdir) = @_;
	my (%install, @upgrades);
	for my $f (glob("$extdir/artbandit--*.sql"))
	{
		my ($from, $to) = script_versions($f);
		if (defined $from) { push @upgrades, [ $from, $to ]; }
		else               { $install{$to} = 1; }
	}
	return (\%install, \@upgrades);
}

# A version's whole script: its install script, or an earlier version's whole
# script followed by the upgrade script from there (CREATE EXTENSION does
# the same, and drops each script's \echo guard line).
sub whole_script
{
	my ($dir, $version) = @_;
	return slurp_file("$dir/artbandit--$version.sql") if -f "$dir/artbandit--$version.sql";
	for my $up (sort glob("$dir/artbandit--*--$version.sql"))
	{
		my ($from) = basename($up) =~ /^artbandit--(.+)--\Q$version\E\.sql$/ or next;
		my $before = whole_script($dir, $from);
		return $before . slurp_file($up) if defined $before;
	}
	return undef;
}

1;
