/*
 * job_common.h — what the scheduled-job functions (job_*.c) share: checking
 * the caller's tables and lists, and running SQL on them.
 *
 * The jobs are C (since 1.2) so that no call they make goes through a name
 * that someone could plant an overload for or rename a schema under: the
 * extension's own work (scoring, accumulating, fitting, merging) is direct
 * C, and the SQL they run reads and writes the caller's tables with only
 * built-in casts and OPERATOR(pg_catalog.x) operators, under the
 * search_path = pg_catalog, pg_temp their CREATE FUNCTION sets.  The
 * extension's types are found through pg_extension (by OID), never by name
 * lookup on a path.
 */
#ifndef JOB_COMMON_H
#define JOB_COMMON_H

#include "postgres.h"

#include "executor/spi.h"
#include "tcop/dest.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/date.h"
#include "utils/timestamp.h"

/* The OID of the extension's type typname (ope_state, banditmodel). */
Oid			job_extension_type(const char *typname);

/* The relation as format('%s', regclass) prints it (schema-qualified unless visible). */
char	   *job_relname(Oid rel);

/* A column the caller's table must have, with its exact type. */
typedef struct JobColumn
{
	const char *name;
	Oid			type;
} JobColumn;

/*
 * ERROR unless rel has each column with its type; what ("results",
 * "targets", "models") names the table in messages.
 */
void		job_check_table(Oid rel, const char *what, const JobColumn *cols, int ncols);

/* The type of column name of rel, or InvalidOid when it has none. */
Oid			job_column_type(Oid rel, const char *name);

/* What a named column of the log is read as. */
typedef enum JobKind
{
	JOB_DAY, JOB_ACTION, JOB_CONTEXT, JOB_CANDIDATES, JOB_REWARD, JOB_PROPENSITY,
	JOB_SEGMENT, JOB_SCOPE, JOB_PROBABILITIES, JOB_SEED
} JobKind;

/*
 * The SQL expression reading column col (given as the argument kind_column)
 * of rel, aliased l, as its kind: int8 actions, float8[] contexts, int8[]
 * candidates, float8 rewards (a boolean as 0/1) and propensities, text
 * segments and scopes, float8[] logged probabilities, int8 seeds, or the day column as it is; ERROR naming what is
 * wrong (NULL name, no such column, a type that cannot be that kind).
 */
char	   *job_column_expr(Oid rel, Name col, JobKind kind);

/*
 * The names of a text[] list (target policies), checked: not empty, no
 * NULL, no duplicate.  Returns palloc'd C strings.
 */
char	  **job_check_names(ArrayType *names, const char *what, int *count);

/* SPI_execute_with_args, with its failures raised. */
int			job_execute(const char *sql, int nargs, Oid *types, Datum *values,
						const char *nulls, bool read_only, long count);

/* A column of the current SPI result row as a Datum. */
Datum		job_get(int row, int col, bool *isnull);

/* date_out of d, for messages. */
char	   *job_date_text(Datum d);

/* d + 1 as date's + does: infinite days stay, a day past the range is an ERROR. */
DateADT		job_next_day(DateADT d);

/* ERROR unless from <= to. */
void		job_check_days(DateADT from, DateADT to);

/*
 * A read-write cursor over rows_sql, whose $1 and $2 are the dates from and
 * the day after to (the log's rows of [from, to]).
 */
Portal		job_open_days(const char *rows_sql, DateADT from, DateADT to);

/*
 * Run a read-only SELECT whose rows go to dest as the executor produces
 * them (none is copied into an SPI tuple table): one streaming scan.
 * job_receiver_init sets up a receiver whose only work is receive.
 */
void		job_receiver_init(DestReceiver *dest, bool (*receive) (TupleTableSlot *slot, DestReceiver *self));
void		job_stream(const char *sql, DestReceiver *dest);

/*
 * Naming a log row in a message: by its ctid where the relation has one
 * that says where the row is (a table or materialized view), else by its
 * place in the scan.
 */
bool		job_has_ctid(Oid rel);
char	   *job_row_place(bool has_ctid, Datum ctid, int64 number);

/*
 * Segment and scope columns: a built-in type is read with its cast to text
 * in SQL; any other type (an enum, composite or range someone created, who
 * could also create a cast from it to text) is read as it is and printed by
 * its output function, which only a superuser can write.  job_text_output
 * gives that output function, or InvalidOid for a built-in type;
 * job_text_of the column's text ('' for NULL).
 */
Oid			job_text_output(Oid rel, Name col);

/*
 * The one-line LOG a job writes when it is done, so that a scheduled run
 * (pg_cron) is visible in the server log: what it did (fn, what: the day or
 * range, the scope), the rows read from log, the rows written into into, and
 * the seconds since start.
 */
void		job_log_summary(const char *fn, Oid log, const char *what, uint64 rows,
							int written, Oid into, TimestampTz start);
char	   *job_text_of(Datum d, bool isnull, Oid output);

#endif
