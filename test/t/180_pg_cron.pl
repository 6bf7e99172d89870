# pg_cron for real: a cluster configured with the README's pg_cron settings
# runs the README's own job block (schedules turned into once a minute),
# and the jobs' results are checked: the daily OPE states against a direct
# scan of yesterday's rows (1e-12), the model refresh as a new version equal
# to bandit_fit over its window.  Debian's pg_cron 1.4 has no seconds-level
# schedules, so this waits for the next minute boundary (up to ~2 minutes).
use strict;
use warnings;

use FindBin;
use lib "$FindBin::Bin/lib";
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ReadmeSql qw(readme_text run_sql_blocks);
use Test::More;
use TestScale qw(skip_when_quick);

skip_when_quick('pg_cron runs the jobs at the next minute boundary (up to two minutes of waiting)');
use Time::HiRes qw(sleep);

my $readme = readme_text();
plan skip_all => 'README.md not found' unless defined $readme;

my $node = PostgreSQL::Test::Cluster->new('cron');
my $libdir = $node->config_data('--pkglibdir');
plan skip_all => "pg_cron is not installed ($libdir/pg_cron.so; make test installs postgresql-15-cron)"
  unless -f "$libdir/pg_cron.so";

# The README's settings, with the test's database.
my ($settings) = $readme =~ /^```ini\n(# postgresql\.conf for pg_cron\n.*?)^```/ms;
ok(defined $settings, 'README has the pg_cron settings block');
like($settings, qr/shared_preload_libraries = 'pg_cron'/, 'settings preload pg_cron');
$settings =~ s/^cron\.database_name = .*$/cron.database_name = 'postgres'/m;

my ($jobs) = $readme =~ /^```sql cron\n(.*?)^```/ms;
ok(defined $jobs, 'README has the pg_cron job block');
my $n_schedules = () = $jobs =~ /cron\.schedule\(/g;
is($n_schedules, 2, 'two jobs are scheduled in the README');
(my $every_minute = $jobs) =~ s/cron\.schedule\('([^']+)',\s*'[^']+'/cron.schedule('$1', '* * * * *'/g;

$node->init;
$node->append_conf('postgresql.conf', $settings);
$node->start;

# The README's set-up: every ```sql block, in order (as TAP 040 runs them).
$node->safe_psql('postgres', 'CREATE EXTENSION artbandit');
run_sql_blocks($node, 'postgres', $readme);

# Forget yesterday's states and the models' later versions, so that what
# is checked below can only come from the jobs.
$node->safe_psql('postgres', q{
	DELETE FROM ope_daily_results WHERE day = current_date - 1;
	DELETE FROM artwork_models WHERE version > 1;
	UPDATE artwork_models SET retired = false;
});

# The jobs and the checks use current_date: keep clear of midnight (in the
# server's time zone, which the job sessions use too).
my $to_midnight = $node->safe_psql('postgres',
	q{SELECT ceil(extract(epoch FROM (current_date + 1)::timestamptz - now()))});
if ($to_midnight < 240)
{
	note("waiting ${to_midnight}s for midnight to pass");
	sleep($to_midnight + 5);
}
my $day = $node->safe_psql('postgres', 'SELECT current_date');

my ($ret, $out, $err) = $node->psql('postgres', $every_minute, on_error_stop => 1);
is($ret, 0, "the README's job block runs (every minute)") or diag($err);

# Wait for one finished run of each job (the first minute boundary, plus slack).
my $done = '';
for (my $waited = 0; $waited < 150; $waited += 1)
{
	$done = $node->safe_psql('postgres', q{
		SELECT string_agg(j.jobname || ':' || d.status, ',' ORDER BY j.jobname)
		FROM cron.job j JOIN LATERAL (
			SELECT status FROM cron.job_run_details r WHERE r.jobid = j.jobid
			AND r.status IN ('succeeded', 'failed') ORDER BY r.start_time LIMIT 1) d ON true});
	last if ($done =~ tr/:// ) == 2;
	sleep 1;
}
$node->safe_psql('postgres', q{SELECT cron.unschedule(jobname) FROM cron.job});
is($done, 'artbandit-models:succeeded,artbandit-ope-daily:succeeded', 'both jobs ran and succeeded')
  or diag($node->safe_psql('postgres',
	q{SELECT string_agg(status || ': ' || coalesce(return_message, ''), E'\n') FROM cron.job_run_details}));

is($node->safe_psql('postgres', 'SELECT current_date'), $day, 'the date did not change meanwhile');

# The rollup job's states equal a direct scan of yesterday's rows (a NULL on
# either side counts as a difference).
my $check_states = $node->safe_psql('postgres', q{
	WITH direct AS (
		SELECT t.name AS policy,
		       ope_accumulate(l.played::int, l.propensity,
		                      bandit_probability(t.model, l.context, l.candidates, l.image_id, t.policy),
		                      bandit_predict(t.reward_model, l.context, l.image_id),
		                      bandit_value(t.model, l.context, l.candidates, t.policy, t.reward_model)) AS state
		FROM impressions_log l CROSS JOIN target_policies t
		WHERE l.day = current_date - 1 GROUP BY t.name)
	SELECT count(*) || ' ' || count(*) FILTER (WHERE NOT coalesce(
	           abs(a.estimate - b.estimate) <= 1e-12 * greatest(abs(a.estimate), 1e-300)
	           AND abs(a.std_error - b.std_error) <= 1e-12 * greatest(a.std_error, 1e-300), false))
	FROM ope_daily_results r JOIN direct d USING (policy),
	     LATERAL ope_report(r.state) a JOIN LATERAL ope_report(d.state) b USING (estimator)
	WHERE r.day = current_date - 1 AND r.segment_by = ''});
is($check_states, '12 0', "the rollup job wrote yesterday's states of both policies, equal to a direct scan");

# The model job added version 2 = bandit_fit per show over its 28 days.
my $check_models = $node->safe_psql('postgres', q{
	SELECT count(*) || ' ' || count(*) FILTER (WHERE NOT coalesce(
	           a.n = b.n AND abs(a.weight - b.weight) <= 1e-12 * b.weight
	           AND (a.mean_reward IS NOT DISTINCT FROM b.mean_reward
	                OR abs(a.mean_reward - b.mean_reward) <= 1e-12 * greatest(abs(b.mean_reward), 1e-300)), false))
	FROM artwork_models m
	JOIN (SELECT show_id::text AS scope, bandit_fit(image_id, context, played::int) AS model
	      FROM impressions_log WHERE day BETWEEN current_date - 28 AND current_date - 1 GROUP BY show_id) d
	  USING (scope),
	     LATERAL bandit_arms(m.model) a JOIN LATERAL bandit_arms(d.model) b USING (action)
	WHERE m.name = 'ctr' AND m.version = 2});
is($check_models, '60 0', 'the model job wrote version 2 of every show, equal to bandit_fit over its window');

# Each job left one line in the server log saying what it did (issue 13.4):
# the rows it read (yesterday's rows; the models' 28 days) and what it wrote.
my ($yesterday, $n_yesterday, $n_window) = split /\|/, $node->safe_psql('postgres', q{
	SELECT current_date - 1,
	       (SELECT count(*) FROM impressions_log WHERE day = current_date - 1),
	       (SELECT count(*) FROM impressions_log WHERE day BETWEEN current_date - 28 AND current_date - 1)});
my $server_log = slurp_file($node->logfile);
like($server_log,
	qr/LOG:  ope_rollup_day: \Q$yesterday\E of public.impressions_log: $n_yesterday rows read, 2 written to public.ope_daily_results in \d+\.\d{3} s/,
	"the rollup job's summary line is in the server log ($n_yesterday rows)");
like($server_log,
	qr/LOG:  bandit_refresh_models: model "ctr" version 2 from \S+ to \Q$yesterday\E of public.impressions_log: $n_window rows read, 20 written to public.artwork_models in \d+\.\d{3} s/,
	"the model job's summary line is in the server log ($n_window rows, 20 shows)");

$node->stop;
done_testing();
