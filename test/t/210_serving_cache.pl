# The backend's model cache never serves a stale model (issue 19.1).
#
# 1. Two sessions: A serves a show from a models table (its model cached),
#    B updates the row; A's next statement plays what the new model says.
#    The same with bandit_refresh_models writing a new version that A reads
#    through bandit_current_models.
# 2. pgbench serves decisions (2 clients, prepared statements, the newest
#    version of the model looked up per call, like an application would)
#    while another session runs bandit_refresh_models over and over,
#    alternating between two windows of the log whose greedy choices differ.
#    Every decision is recorded with the version it read; afterwards each one
#    is recomputed with the cache off (artbandit.model_cache_size = 0, one
#    model prepared per call) and must be the same.  The models are stored
#    out of line (checked), so the TOAST-pointer keys are the ones exercised.
# 3. The OID counter wraps around 2^32 (set near the top with pg_resetwal,
#    then large objects take OIDs): a session's next lookup drops its
#    TOAST-keyed entries, since an OID may now name another value.
use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('serving_cache');
$node->init;
$node->append_conf('postgresql.conf', "fsync = off\nmax_connections = 20\n");
$node->start;

# A log of one show: on day 1 image 1 is played, on day 2 image 2 (and the
# other one never), with random 16-dimensional contexts whose doubles do
# not compress, so each model (2 arms of 16 x 16) is stored out of line.
$node->safe_psql(
	'postgres', q{
	CREATE EXTENSION artbandit;
	SELECT setseed(0.21);
	CREATE TABLE log AS
	SELECT day, i, image_id, context,
	       (image_id = CASE WHEN day = '2026-01-01' THEN 1 ELSE 2 END) AS played
	FROM (SELECT d::date AS day, i, 1 + i % 2 AS image_id,
	             ARRAY[1::float8] || ARRAY(SELECT random() FROM generate_series(1, 15) WHERE i > 0) AS context
	      FROM generate_series('2026-01-01'::date, '2026-01-02'::date, '1 day') d,
	           generate_series(1, 400) i) rows;
	CREATE TABLE artwork_models (
		name text NOT NULL, scope text NOT NULL, version int4 NOT NULL,
		created_at timestamptz NOT NULL DEFAULT now(), trained_from date, trained_to date,
		n_rows int8, retired bool NOT NULL DEFAULT false, model banditmodel,
		PRIMARY KEY (name, scope, version));
	CREATE TABLE contexts AS
	SELECT i AS id, ARRAY[1::float8] || ARRAY(SELECT random() FROM generate_series(1, 15) WHERE i > 0) AS context
	FROM generate_series(1, 100) i;
	CREATE TABLE served (client int, version int, context_id int, action int8);
	SELECT bandit_refresh_models('log', 'artwork_models', 'ctr', '2026-01-01', '2026-01-01');
});
my $toast = $node->safe_psql('postgres',
	q{SELECT reltoastrelid::regclass FROM pg_class WHERE relname = 'artwork_models'});
cmp_ok($node->safe_psql('postgres', "SELECT count(*) FROM $toast"),
	'>', 0, 'the models are stored out of line (TOAST)');

# --- 1. two sessions ---------------------------------------------------------

my $serve = q{SELECT bandit_choose(m.model, c.context, NULL, 'greedy')
	FROM bandit_current_models('artwork_models', 'ctr') m, contexts c WHERE c.id = 1};
my $a = $node->background_psql('postgres');
is($a->query_safe($serve), '1', 'session A: version 1 plays image 1');
is($a->query_safe($serve), '1', 'session A again');
is($a->query_safe('SELECT hits >= 1 AND misses = 1 FROM bandit_model_cache()'),
	't', 'session A served the second call from its cache');

$node->safe_psql('postgres',
	q{SELECT bandit_refresh_models('log', 'artwork_models', 'ctr', '2026-01-02', '2026-01-02')});
is($a->query_safe($serve), '2', 'session A plays image 2 once session B refreshed the model');

$node->safe_psql('postgres', q{
	UPDATE artwork_models SET model = (SELECT model FROM artwork_models WHERE version = 1)
	WHERE version = 2});
is($a->query_safe($serve), '1', 'session A follows an UPDATE of the model row by session B');
is($a->query_safe('SELECT misses FROM bandit_model_cache()'), '3',
	'each new value was one miss in session A');
$a->quit;

# --- 2. refreshes while pgbench serves ---------------------------------------

my $dir = $node->basedir;
my $script = "$dir/serve.sql";
open(my $fh, '>', $script) or die $!;
print $fh q{\set id random(1, 100)
INSERT INTO served
SELECT :client_id, m.version, c.id, bandit_choose(m.model, c.context, NULL, 'greedy')
FROM (SELECT version, model FROM artwork_models
      WHERE name = 'ctr' AND scope = '' AND NOT retired ORDER BY version DESC LIMIT 1) m,
     contexts c
WHERE c.id = :id;
};
close $fh;

my $refreshes = 30;
my $refresher = $node->background_psql('postgres');
my ($out, $err) = ('', '');
my $bench = IPC::Run::start(
	[
		'pgbench', '-n', '-M', 'prepared', '-c', '2', '-j', '2', '-T', '8',
		'-f', $script, $node->connstr('postgres')
	],
	'>', \$out, '2>', \$err);
for my $k (1 .. $refreshes)
{
	my $day = $k % 2 ? '2026-01-01' : '2026-01-02';
	$refresher->query_safe(
		"SELECT bandit_refresh_models('log', 'artwork_models', 'ctr', '$day', '$day'), pg_sleep(0.15)");
}
$refresher->quit;
ok($bench->finish, 'pgbench ran without errors') or diag($err);
like($out, qr/number of failed transactions: 0|number of transactions actually processed: \d+/,
	'pgbench reports its transactions');

my ($decisions, $versions, $min_per_client) = split /\|/, $node->safe_psql(
	'postgres', q{
	SELECT (SELECT count(*) FROM served), (SELECT count(DISTINCT version) FROM served),
	       (SELECT min(n) FROM (SELECT count(DISTINCT version) AS n FROM served GROUP BY client) c)});
cmp_ok($decisions, '>', 200, "pgbench made $decisions decisions");
cmp_ok($versions, '>=', 10, "they read $versions different versions");
cmp_ok($min_per_client, '>=', 10, "every client saw at least $min_per_client versions");

my $wrong = $node->safe_psql(
	'postgres', q{
	SET artbandit.model_cache_size = 0;
	SELECT count(*) FROM served s
	JOIN artwork_models m ON m.name = 'ctr' AND m.version = s.version
	JOIN contexts c ON c.id = s.context_id
	WHERE bandit_choose(m.model, c.context, NULL, 'greedy') <> s.action});
is($wrong, '0', 'every decision is what its version says, recomputed without the cache');
my $both = $node->safe_psql('postgres', 'SELECT count(DISTINCT action) FROM served');
is($both, '2', 'the versions disagree (both images were played), so a stale model would show');

# --- 3. OID wraparound ---------------------------------------------------------

$node->stop;
command_ok([ 'pg_resetwal', '-o', '4294967000', $node->data_dir ],
	'pg_resetwal sets the next OID 296 below 2^32');
$node->start;
my $s = $node->background_psql('postgres');
my $before = $s->query_safe($serve);
is($s->query_safe('SELECT misses, oid_wraparounds FROM bandit_model_cache()'),
	'1|0', 'the model is cached');
$node->safe_psql('postgres', 'SELECT count(lo_create(0)) FROM generate_series(1, 600)');
cmp_ok($node->safe_psql('postgres', 'SELECT lo_create(0)'),
	'<', 4294967000, 'the OID counter wrapped around');
is($s->query_safe($serve), $before, 'the same answer after the wraparound');
is($s->query_safe('SELECT misses, oid_wraparounds, entries FROM bandit_model_cache()'),
	'2|1|1', 'the lookup saw the wraparound, dropped the entry and prepared the model again');
$s->quit;

done_testing();
