/* Progress line on stderr (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct Progress {
    gboolean enabled;
    gint64 started;
    gint64 last_draw;
    guint64 bytes_before; /* bytes of finished files */
    guint64 last_done;
    char *last_name;
    gboolean drawn;
};

Progress *
progress_new(gboolean enabled)
{
    Progress *p = g_new0(Progress, 1);
    p->enabled = enabled;
    p->started = g_get_monotonic_time();
    return p;
}

void
progress_free(Progress *p)
{
    if (p == NULL)
        return;
    progress_clear(p);
    g_free(p->last_name);
    g_free(p);
}

static void
human_bytes(guint64 n, char *buf, gsize size)
{
    g_autofree char *s = g_format_size(n);
    g_strlcpy(buf, s, size);
}

void
progress_update(Progress *p, const char *name, guint64 done, guint64 total, guint64 lines,
                guint64 items)
{
    if (!p->enabled)
        return;
    if (p->last_name == NULL || strcmp(p->last_name, name) != 0) {
        if (p->last_name)
            p->bytes_before += p->last_done;
        g_free(p->last_name);
        p->last_name = g_strdup(name);
        p->last_done = 0;
    }
    if (done >= p->last_done)
        p->last_done = done;
    gint64 now = g_get_monotonic_time();
    if (now - p->last_draw < 200000)
        return;
    p->last_draw = now;
    double secs = (double)(now - p->started) / G_USEC_PER_SEC;
    guint64 all = p->bytes_before + p->last_done;
    char rate[32], size[32], tot[32];
    human_bytes(secs > 0 ? (guint64)((double)all / secs) : 0, rate, sizeof rate);
    human_bytes(done, size, sizeof size);
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    char pct[16] = "";
    if (total > 0) {
        human_bytes(total, tot, sizeof tot);
        g_snprintf(pct, sizeof pct, " %3.0f%%", 100.0 * (double)done / (double)total);
    }
    fprintf(stderr, "\r\033[K  reading %.40s%s  %s  %s/s  %" G_GUINT64_FORMAT " lines",
            base, pct, size, rate, lines);
    if (items)
        fprintf(stderr, "  %" G_GUINT64_FORMAT " mailbox items", items);
    fflush(stderr);
    p->drawn = TRUE;
}

void
progress_phase(Progress *p, const char *what)
{
    if (!p->enabled)
        return;
    fprintf(stderr, "\r\033[K  %s …", what);
    fflush(stderr);
    p->drawn = TRUE;
}

void
progress_clear(Progress *p)
{
    if (p->enabled && p->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
        p->drawn = FALSE;
    }
}
