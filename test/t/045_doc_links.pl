# Every link in the project's Markdown documents resolves inside the
# repository: a relative path names a file or directory of the tree (never
# outside it, such as ../shared), and an #anchor names a heading of the
# target document (GitHub's heading slugs).  External http(s) links are
# only listed.  Needs no server.
use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use Cwd qw(abs_path);
use FindBin;
use PostgreSQL::Test::Utils qw(slurp_file);
use Test::More;

my $root = abs_path("$FindBin::Bin/../..");
my @docs = grep { -f } (glob("$root/*.md"), glob("$root/doc/*.md"), glob("$root/test/*/*.md"));
ok(scalar(@docs) >= 3, 'found the Markdown documents (' . scalar(@docs) . ')');

# GitHub's slug of a heading: lower case, punctuation other than - and _ dropped,
# spaces to -, repeated slugs numbered -1, -2, ...
sub slugs_of
{
	my ($text) = @_;
	$text =~ s/^```.*?^```//msg;    # headings inside code blocks do not count
	my (%seen, %slugs);
	foreach my $h ($text =~ /^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/mg)
	{
		my $s = lc $h;
		$s =~ s/`//g;
		$s =~ s/[^\p{L}\p{N}\s_-]//g;
		$s =~ s/\s/-/g;
		my $n = $seen{$s}++;
		$slugs{ $n ? "$s-$n" : $s } = 1;
	}
	return \%slugs;
}

my %slug_cache;
my ($links, $external) = (0, 0);
foreach my $doc (@docs)
{
	my $text = slurp_file($doc);
	(my $prose = $text) =~ s/^```.*?^```//msg;    # code is not linked
	my $rel_doc = File::Spec->abs2rel($doc, $root);
	foreach my $target ($prose =~ /\]\(([^)\s]+)\)/g)
	{
		$links++;
		if ($target =~ m{^(?:https?|mailto):})
		{
			$external++;
			note("$rel_doc: external link $target");
			next;
		}
		my ($path, $anchor) = $target =~ /^([^#]*)(?:#(.*))?$/;
		my $file = $path eq '' ? $doc : abs_path(dirname($doc) . "/$path");
		ok(defined $file && -e $file && index($file, "$root/") == 0 || (defined $file && $file eq $root),
			"$rel_doc: $target names a file of the repository")
		  or next;
		next unless defined $anchor && $anchor ne '';
		if (-f $file && $file =~ /\.md$/)
		{
			$slug_cache{$file} //= slugs_of(slurp_file($file));
			ok($slug_cache{$file}{$anchor}, "$rel_doc: #$anchor is a heading of " . File::Spec->abs2rel($file, $root));
		}
	}
}
ok($links >= 10, "links checked: $links ($external external)");
done_testing();
