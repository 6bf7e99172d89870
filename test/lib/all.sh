# shellcheck shell=bash
# Sources every helper library; run_tests.sh and run_demo.sh start with it.
_ab_lib=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=test/lib/common.sh
source "$_ab_lib/common.sh"
# shellcheck source=test/lib/deps.sh
source "$_ab_lib/deps.sh"
# shellcheck source=test/lib/cluster.sh
source "$_ab_lib/cluster.sh"
# shellcheck source=test/lib/build.sh
source "$_ab_lib/build.sh"
# shellcheck source=test/lib/prefix.sh
source "$_ab_lib/prefix.sh"
# shellcheck source=test/lib/citus.sh
source "$_ab_lib/citus.sh"
