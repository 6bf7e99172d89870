# A private copy of the server installation (bin, lib, share) whose
# extension directory a test may change: a trusted control file (TAP 122),
# synthetic versions (TAP 150).  The server finds its share and lib
# directories relative to its own binary, so the copy is self-contained.
package PrivateInstall;

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Path qw(make_path);
use PostgreSQL::Test::Utils;

use Exporter 'import';
our @EXPORT_OK = qw(private_installation);

# Copy the installation $node runs into a temporary directory named after
# $name; returns the install_path for PostgreSQL::Test::Cluster->new and the
# copy's share directory.
sub private_installation
{
	my ($node, $name) = @_;
	my ($bindir, $sharedir) = $node->config_data('--bindir', '--sharedir');
	my $root = PostgreSQL::Test::Utils::tempdir($name);
	for my $dir (dirname($bindir), $sharedir)
	{
		make_path(dirname("$root$dir"));
		system('cp', '-a', $dir, "$root$dir") == 0 or die "cp -a $dir: $?";
	}
	return ($root . dirname($bindir), "$root$sharedir");
}

1;
