# The README's SQL examples, for the tests that execute them (040, 180).
package ReadmeSql;

use strict;
use warnings;

use File::Basename qw(dirname);
use PostgreSQL::Test::Utils qw(slurp_file);
use Test::More;

use Exporter 'import';
our @EXPORT_OK = qw(readme_text run_sql_blocks);

# README.md's text, or undef when it is not there.
sub readme_text
{
	my $file = dirname(__FILE__) . '/../../../README.md';
	return -f $file ? slurp_file($file) : undef;
}

# Run every ```sql block of the README, in order, in one database of $node:
# one test per block.  Blocks fenced otherwise (```sql install, ```sql cron, ```ini, ```)
# are left to the tests that need them.
sub run_sql_blocks
{
	my ($node, $dbname, $readme) = @_;
	my @blocks = $readme =~ /^```sql\n(.*?)^```/msg;
	my $i = 0;
	foreach my $sql (@blocks)
	{
		$i++;
		my ($ret, $out, $err) = $node->psql($dbname, $sql, on_error_stop => 1);
		is($ret, 0, "README SQL block $i runs") or diag("$sql\n$err");
	}
	return scalar(@blocks);
}

1;
