# A node running a private copy of the server installation (bin, lib,
# share) whose extension directory the test changes first: a trusted control
# file (TAP 122), synthetic versions (TAP 150).  The server finds its share
# and lib directories relative to its own binary, so the copy is
# self-contained.
package PrivateInstall;

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

use Exporter 'import';
our @EXPORT_OK = qw(private_node);

# A started node named $name on a copy of the installation $node runs, with
# the files of %$files (name => text) written into the copy's extension
# directory (replacing any there).  One test: the copy uses its own share
# directory.  Returns the node and the copy's extension directory.
sub private_node
{
	my ($node, $name, $files) = @_;
	my ($bindir, $sharedir) = $node->config_data('--bindir', '--sharedir');
	my $root = PostgreSQL::Test::Utils::tempdir("${name}_install");
	for my $dir (dirname($bindir), $sharedir)
	{
		make_path(dirname("$root$dir"));
		system('cp', '-a', $dir, "$root$dir") == 0 or die "cp -a $dir: $?";
	}
	my $extdir = "$root$sharedir/extension";
	for my $file (sort keys %$files)
	{
		unlink "$extdir/$file" if -e "$extdir/$file";
		open(my $fh, '>', "$extdir/$file") or die "cannot write $extdir/$file: $!";
		print $fh $files->{$file};
		close $fh;
	}
	my $copy = PostgreSQL::Test::Cluster->new($name, install_path => $root . dirname($bindir));
	is(($copy->config_data('--sharedir'))[0], "$root$sharedir", 'the private copy uses its own share directory');
	$copy->init;
	$copy->append_conf('postgresql.conf', "fsync = off\n");
	$copy->start;
	return ($copy, $extdir);
}

1;
