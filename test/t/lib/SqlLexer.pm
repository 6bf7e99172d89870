# The SQL lexer behind the install-script review (TAP 120), and what it
# finds in one function body: string literals, quoted identifiers, comments
# and dollar-quoted bodies told apart from code; unqualified calls,
# operators and types; @extschema@ outside a schema qualification; and the
# functions a script creates.
package SqlLexer;

use strict;
use warnings;

use Exporter 'import';
our @EXPORT_OK =
  qw(lex_sql unqualified_in_body extschema_in_body_problems created_functions);

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

1;
