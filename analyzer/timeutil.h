/* Locale-free date and time parsing into µs since the Unix epoch (UTC). */
#pragma once

#include <glib.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
gint64 time_days_from_civil(int y, int m, int d);
/* Inverse of time_days_from_civil(). */
void time_civil_from_days(gint64 days, int *y, int *m, int *d);
/* µs UTC of a local wall-clock time in tz (NULL = UTC). */
gint64 time_from_local(GTimeZone *tz, int y, int mo, int d, int h, int mi, int s);
/* Parses "YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM]" at s (at most len bytes). Without a zone
 * the time is read in tz. Returns the bytes consumed, 0 if s does not start with such a date. */
gsize time_parse_iso8601(const char *s, gsize len, GTimeZone *tz, gint64 *out);
/* Month from its English three-letter abbreviation ("Jan" = 1), 0 if none. */
int time_month_from_abbrev(const char *s);
/* Parses an RFC 5322 date ("Tue, 3 Nov 2026 10:01:02 +0100"), 0 if it cannot. */
gint64 time_parse_rfc5322(const char *s);
/* Formats µs UTC as "2026-11-28 10:01:02" (UTC) into buf (>= 20 bytes). */
char *time_format(gint64 t, char *buf, gsize size);
/* Excel serial date (days since 1899-12-30, UTC) of µs UTC. */
double time_to_excel(gint64 t);
