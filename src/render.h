/* Rendering: API JSON → the text a file shows. Pure functions of their
 * input, so they are unit-tested with golden files. Text always ends with a
 * newline; JSON is pretty-printed with two-space indentation (as jq does). */
#ifndef WRFS_RENDER_H
#define WRFS_RENDER_H
#include <stddef.h>

struct buf;

/* Pretty-print a JSON document. Input that is not JSON is copied as is.
 * Either way the output ends with a newline (empty input stays empty). */
void render_json(struct buf *out, const char *json, size_t len);
/* The execution status word of a status object ("status" field) or a job
 * ("executionStatus"): one of PENDING RUNNING COMPLETED FAILED UNKNOWN,
 * then a newline. Anything unexpected renders as UNKNOWN. */
void render_status_word(struct buf *out, const char *json, size_t len, const char *field);
/* The word itself, without newline: a static string. */
const char *render_status_of(const char *json, size_t len, const char *field);
/* 1 when the status word is COMPLETED or FAILED: that run never changes. */
int render_status_is_final(const char *word);
/* errorMessage of a status object plus a newline, or nothing when null. */
void render_error(struct buf *out, const char *json, size_t len);
/* A logs answer {"logs":[...]} (or a bare array, or a string) as one line
 * per entry; embedded newlines in an entry are kept. */
void render_logs(struct buf *out, const char *json, size_t len);
/* Call fn with each element's id of a JSON array of objects: the field
 * id_field (a string, or a number printed as an integer); elements without
 * one are skipped. name_field, when non-NULL, is passed too. */
void render_each_id(const char *json, size_t len, const char *id_field, const char *name_field,
                    void (*fn)(void *arg, const char *id, const char *name), void *arg);
/* One page of a Strapi table: the records are a bare array or the "data"
 * array of an object; each record's id is "id", else "documentId". Calls
 * fn with each id; returns the number of records on the page (ids or not),
 * or -1 when the answer has no record array. *page_count is the
 * meta.pagination.pageCount when given, else -1. */
int render_table_page(const char *json, size_t len, int *page_count,
                      void (*fn)(void *arg, const char *id, const char *name), void *arg);
/* The id of one record ("id", else "documentId", also inside "data"), or
 * NULL; caller frees. */
char *render_record_id(const char *json, size_t len);
/* A string field of a JSON object (caller frees), or NULL. */
char *render_string_field(const char *json, size_t len, const char *field);

#endif
