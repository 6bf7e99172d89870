/*
 * log_checks.h — what ope_validate_log checks on each row of an
 * exploration log, and the verdict of each check.
 *
 * The caller reads the rows (src/log_validate.c) and hands each one over as
 * a LogRowView; log_check_row counts the checks it fails and returns them
 * as a mask, so that the caller can keep an example of each.  Two checks
 * need the whole log and are counted by the caller: candidates never shown
 * and duplicate ids (log_checks_set_count).  The mean weight of the uniform
 * target, (1/k) / propensity, is accumulated here and tested with
 * ope_weight_test: it is 1 when every propensity is the probability its
 * image was shown with and every candidate could be shown.
 */
#ifndef LOG_CHECKS_H
#define LOG_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compsum.h"

/* The checks, in the order ope_validate_log reports them. */
typedef enum LogCheck
{
	LC_ROWS,
	LC_ACTION_PRESENT,
	LC_PROPENSITY_PRESENT,
	LC_PROPENSITY_IN_RANGE,
	LC_REWARD_PRESENT,
	LC_REWARD_FINITE,
	LC_CANDIDATES_PRESENT,
	LC_CANDIDATES_VALID,
	LC_ACTION_IN_CANDIDATES,
	LC_CANDIDATES_SHOWN,
	LC_MEAN_WEIGHT,
	LC_IDS_PRESENT,
	LC_IDS_UNIQUE,
	LC_PROBABILITIES_VALID,
	LC_PROBABILITIES_SUM,
	LC_PROBABILITIES_PROPENSITY,
	LC_NCHECKS
} LogCheck;

/* The optional columns a validation has. */
#define LC_HAS_CANDIDATES		0x01
#define LC_HAS_ID				0x02
#define LC_HAS_REWARD			0x04
#define LC_HAS_PROBABILITIES	0x08

/* How far a logged pmf may be from summing to 1 or from the propensity. */
#define LC_PROBABILITY_TOLERANCE 1e-6

/* An array column of a row, as the caller found it. */
typedef enum LogArrayState
{
	LA_NULL,					/* NULL */
	LA_BAD,						/* not one-dimensional, a NULL element, too long */
	LA_OK
} LogArrayState;

typedef struct LogRowView
{
	bool		has_action;
	int64_t		action;
	bool		has_propensity;
	double		propensity;
	bool		has_reward;
	double		reward;
	LogArrayState candidates_state;
	const int64_t *candidates;
	int			k;
	bool		has_id;
	LogArrayState probabilities_state;
	const double *probabilities;
	int			nprobabilities;
} LogRowView;

typedef enum LogStatus
{
	LS_OK,
	LS_WARNING,
	LS_ERROR
} LogStatus;

extern const char *const log_check_names[LC_NCHECKS];
extern const char *const log_status_names[3];

typedef struct LogChecks
{
	unsigned	columns;		/* LC_HAS_* */
	int64_t		rows;
	int64_t		failed[LC_NCHECKS];
	int64_t		percent_like;	/* propensities out of range but in (1, 100] */
	int64_t		weight_rows;	/* rows in the mean-weight test */
	int64_t		weight_nonzero;
	CompSum		weight_sum,
				weight_sumsq;
	double		worst_sum_gap;	/* largest |sum of a pmf - 1| above the tolerance */
	double		worst_propensity_gap;	/* largest |pmf[shown] - propensity| above it */
	double		never_shown_offers;	/* offers of the images never shown */
} LogChecks;

void		log_checks_init(LogChecks *lc, unsigned columns);

/* Whether the check applies to a log with these columns. */
bool		log_check_applies(const LogChecks *lc, LogCheck c);

/*
 * Count one row; returns the mask (1 << check) of the checks it fails.
 * scratch holds k int64 (to find duplicate candidates).
 */
uint32_t	log_check_row(LogChecks *lc, const LogRowView *r, int64_t *scratch);

/* For the checks counted by the caller (candidates shown, ids unique). */
void		log_checks_set_count(LogChecks *lc, LogCheck c, int64_t count);

/* The verdict of check c: status, the n_rows column and a sentence. */
typedef struct LogVerdict
{
	LogStatus	status;
	int64_t		n_rows;
	char		detail[512];
} LogVerdict;

void		log_check_verdict(const LogChecks *lc, LogCheck c, LogVerdict *out);

/* Sort n uint64 in place (radix sort; tmp holds n), for the duplicate ids. */
void		log_sort_u64(uint64_t *a, uint64_t *tmp, size_t n);

#endif
