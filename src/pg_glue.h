/*
 * pg_glue.h — shared helpers of the PostgreSQL-facing layer: turning core
 * errors (AbError) into ereport(ERROR) with the right SQLSTATE.
 */
#ifndef PG_GLUE_H
#define PG_GLUE_H

#include "postgres.h"

#include "ab_error.h"

/* Raise err as an ERROR; the SQLSTATE follows err->kind. */
void		ab_raise(const AbError *err) pg_attribute_noreturn();

#endif
