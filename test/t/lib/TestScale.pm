# make check's quick mode (ARTBANDIT_QUICK=1, set by `make check`): the fast
# loop runs a TAP test smaller, or skips it with a reason, where only size,
# repetition or waiting makes it slow.  `make test` (CI) runs every test in
# full; ARTBANDIT_QUICK=0 make check does too.
package TestScale;

use strict;
use warnings;

use Test::More;

use Exporter 'import';
our @EXPORT_OK = qw(quick scaled skip_when_quick);

sub quick
{
	return ($ENV{ARTBANDIT_QUICK} // '') eq '1';
}

# $full normally, $quick in quick mode.
sub scaled
{
	my ($full, $quick) = @_;
	return quick() ? $quick : $full;
}

# Skip the whole test in quick mode, saying why and where it runs.
sub skip_when_quick
{
	my ($why) = @_;
	plan skip_all => "quick mode (make check): $why; make test runs it in full"
	  if quick();
	return;
}

1;
