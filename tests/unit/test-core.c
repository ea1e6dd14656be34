/* Core helpers: string pool, event batch, time parsing, syslog prefix. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv.h"
#include "event.h"
#include "text-find.h"
#include "mta-reply.h"
#include "string-pool.h"
#include "syslog.h"
#include "timeutil.h"

static void
test_pool(void)
{
    g_autoptr(StringPool) pool = string_pool_new();
    const char *a = string_pool_intern(pool, "hello");
    const char *b = string_pool_intern_len(pool, "hello world", 5);
    g_assert_true(a == b);
    g_assert_cmpstr(a, ==, "hello");
    g_autofree char *big = g_strnfill(1024 * 1024, 'x');
    const char *c = string_pool_intern(pool, big);
    g_assert_cmpuint(strlen(c), ==, 1024 * 1024);
    g_assert_true(string_pool_intern(pool, "hello") == a);
    string_pool_clear(pool);
    g_assert_cmpuint(string_pool_count(pool), ==, 0);
    g_assert_cmpstr(string_pool_intern(pool, "again"), ==, "again");
}

/* Copies through several chunks, a string bigger than a chunk among them, and again after
 * a clear: every copy keeps its bytes, the size counts them, and nothing overlaps. */
static void
test_pool_chunks(void)
{
    for (guint large = 0; large < 2; large++) {
        g_autoptr(StringPool) pool = large ? string_pool_new_large() : string_pool_new();
        for (guint round = 0; round < 2; round++) {
            g_autoptr(GPtrArray) copies = g_ptr_array_new();
            gsize total = 0;
            for (guint i = 0; i < 3000; i++) {
                gsize len = i == 1500 ? 5u << 20 : (i * 7919u) % 3000;
                g_autofree char *text = g_strnfill(len, (char)('a' + i % 26));
                g_ptr_array_add(copies, string_pool_copy(pool, text, len));
                total += len + 1;
            }
            g_assert_cmpuint(string_pool_size(pool), ==, total);
            for (guint i = 0; i < copies->len; i++) {
                const char *c = copies->pdata[i];
                gsize len = i == 1500 ? 5u << 20 : (i * 7919u) % 3000;
                g_assert_cmpuint(strlen(c), ==, len);
                for (gsize k = 0; k < len; k += 97)
                    g_assert_cmpint(c[k], ==, 'a' + i % 26);
            }
            string_pool_clear(pool);
            g_assert_cmpuint(string_pool_size(pool), ==, 0);
        }
    }
}

static void
test_batch_sanitises(void)
{
    g_autoptr(EventBatch) b = event_batch_new();
    Event ev;
    event_init(&ev);
    char bad[] = "ok\001\tbad \xff\xfe end";
    ev.diagnostic = bad;
    g_autofree char *huge = g_strnfill(100000, 'y');
    ev.detail = huge;
    event_batch_add(b, &ev);
    const Event *e = event_batch_get(b, 0);
    g_assert_true(g_utf8_validate(e->diagnostic, -1, NULL));
    g_assert_null(strchr(e->diagnostic, '\001'));
    g_assert_cmpuint(strlen(e->detail), <=, 4096);
    g_assert_true(e->diagnostic != bad);

    /* a control character or DEL anywhere in an event's strings is found: in a run shorter
     * than sixteen bytes, in the last bytes of a longer one, between other strings */
    static const struct {
        const char *host, *queue_id, *detail, *want;
    } cases[] = {
        {"h", "q", "ab\001", "ab "},
        {"mx.example.net", "4XbQ1k2mZ9z3ab", "the end\037", "the end "},
        {"mx.example.net", "4XbQ1k2mZ9z3ab", "a\177b and more text after it", "a b and more text after it"},
        {"mx.example.net", "4XbQ1k2mZ9z3ab", "sixteen bytes!!\n", "sixteen bytes!! "},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        event_init(&ev);
        ev.host = cases[i].host;
        ev.queue_id = cases[i].queue_id;
        ev.detail = cases[i].detail;
        event_batch_add(b, &ev);
        e = event_batch_get(b, event_batch_len(b) - 1);
        g_assert_cmpstr(e->detail, ==, cases[i].want);
        g_assert_cmpstr(e->host, ==, cases[i].host);
        g_assert_cmpstr(e->queue_id, ==, cases[i].queue_id);
    }
}

/* Every string field is copied (whichever of them are set), addresses lowered without angle
 * brackets, Message-IDs without brackets and spaces. */
static void
test_batch_copies_fields(void)
{
    g_autoptr(EventBatch) b = event_batch_new();
    for (guint pattern = 0; pattern < 4; pattern++) {
        Event ev;
        event_init(&ev);
        const char **fields = &ev.host;
        char texts[21][16];
        for (guint i = 0; i < 21; i++) {
            g_snprintf(texts[i], sizeof texts[i], "f%u-%u", i, pattern);
            /* all, none, the even ones, the odd ones */
            gboolean set = pattern == 0 || (pattern == 2 && i % 2 == 0) || (pattern == 3 && i % 2);
            fields[i] = set ? texts[i] : NULL;
        }
        event_batch_add(b, &ev);
        const Event *e = event_batch_get(b, event_batch_len(b) - 1);
        const char *const *copies = &e->host;
        for (guint i = 0; i < 21; i++) {
            if (fields[i] == NULL) {
                g_assert_null(copies[i]);
                continue;
            }
            g_assert_cmpstr(copies[i], ==, texts[i]);
            g_assert_true(copies[i] != texts[i]);
        }
    }
    Event ev;
    event_init(&ev);
    ev.recipient = "<Anna.Schmidt@Example.NET>";
    ev.sender = "News@Example.com";
    ev.message_id = " <abc@Example.com> ";
    ev.in_reply_to = "<>";
    event_batch_add(b, &ev);
    const Event *e = event_batch_get(b, event_batch_len(b) - 1);
    g_assert_cmpstr(e->recipient, ==, "anna.schmidt@example.net");
    g_assert_cmpstr(e->sender, ==, "news@example.com");
    g_assert_cmpstr(e->message_id, ==, "abc@Example.com");
    g_assert_null(e->in_reply_to);
    g_assert_null(e->orig_recipient);
}

/* Events of a stream name the same host: the batch keeps one copy of it, and a host that
 * differs in any byte (in the same buffer of the parser) gets its own. */
static void
test_batch_shares_host(void)
{
    g_autoptr(EventBatch) b = event_batch_new();
    char host[32];
    static const char *const hosts[] = {"mx1", "mx1", "mx2", "mx1", "mx1\x01", "mx1\x01", "mx10",
                                        "mx1"};
    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
        g_strlcpy(host, hosts[i], sizeof host);
        Event ev;
        event_init(&ev);
        ev.host = host;
        ev.queue_id = "Q1";
        event_batch_add(b, &ev);
    }
    const char *expect[] = {"mx1", "mx1", "mx2", "mx1", "mx1 ", "mx1 ", "mx10", "mx1"};
    for (guint i = 0; i < G_N_ELEMENTS(hosts); i++) {
        const Event *e = event_batch_get(b, i);
        g_assert_cmpstr(e->host, ==, expect[i]);
        g_assert_cmpstr(e->queue_id, ==, "Q1");
        g_assert_true(e->host != host);
        if (i == 0)
            continue;
        /* shared only with the event before, and only when the bytes are the same (a
         * host that needed cleaning is compared as it was given: copied again) */
        gboolean same = g_strcmp0(hosts[i], hosts[i - 1]) == 0 && strchr(hosts[i], 1) == NULL;
        g_assert_cmpint(e->host == event_batch_get(b, i - 1)->host, ==, same);
    }
    /* after a clear the copy is gone: the next host is copied anew */
    event_batch_clear(b);
    Event ev;
    event_init(&ev);
    ev.host = "mx1";
    event_batch_add(b, &ev);
    g_assert_cmpstr(event_batch_get(b, 0)->host, ==, "mx1");
}

/* Strings of every length up to 70 bytes, placed right before an unreadable page and
 * anywhere else: copied whole (the batch's quick length looks at most at the rest of the
 * page), and addresses in lower case (UTF-8 bytes kept as they are). */
static void
test_batch_lengths(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                     -1, 0);
    g_assert_true(map != MAP_FAILED);
    g_assert_cmpint(mprotect(map + page, (size_t)page, PROT_NONE), ==, 0);
    g_autoptr(EventBatch) b = event_batch_new();
    for (gsize len = 0; len <= 70; len++)
        for (guint at_end = 0; at_end < 2; at_end++) {
            GString *want = g_string_new(NULL), *given = g_string_new(NULL);
            for (gsize i = 0; i < len; i++) {
                /* letters of both cases, digits, '@', and a two-byte UTF-8 letter */
                static const char *const parts[] = {"A", "z", "Q", "7", "@", "\xc3\x84"};
                const char *part = parts[(i * 5 + len) % G_N_ELEMENTS(parts)];
                if (given->len + strlen(part) > len)
                    part = "M";
                g_string_append(given, part);
                g_string_append(want, part[0] >= 'A' && part[0] <= 'Z' ? (char[]){
                                    (char)(part[0] + 32), 0} : part);
                if (given->len == len)
                    break;
            }
            char *text = at_end ? map + page - (given->len + 1) : map + 100;
            memcpy(text, given->str, given->len + 1);
            Event ev;
            event_init(&ev);
            ev.recipient = text;
            ev.diagnostic = text;
            event_batch_add(b, &ev);
            const Event *e = event_batch_get(b, event_batch_len(b) - 1);
            g_assert_cmpstr(e->diagnostic, ==, given->str);
            g_assert_cmpstr(e->recipient, ==, want->str);
            g_string_free(want, TRUE);
            g_string_free(given, TRUE);
        }
    munmap(map, (size_t)page * 2);
}

/* text_find answers as memmem does, on every split of some texts. */
static void
test_text_find(void)
{
    static const char *const hay[] = {"", "a", "aaab", "SMTP error from remote mail server after",
                                      "host host  host [1.2.3.4]", "abcabcabd", "x: y: z"};
    static const char *const needles[] = {"a", "aab", "ab", "host [", "after", "abd", "abcabd",
                                          ": ", "z", "SMTP error from remote mail server after",
                                          "remote mail server after "};
    for (guint i = 0; i < G_N_ELEMENTS(hay); i++)
        for (guint j = 0; j < G_N_ELEMENTS(needles); j++)
            for (gsize from = 0; from <= strlen(hay[i]); from++) {
                const char *h = hay[i] + from;
                gsize hl = strlen(h), nl = strlen(needles[j]);
                g_assert_true(text_find(h, hl, needles[j], nl) == memmem(h, hl, needles[j], nl));
            }
    const char *abc = "abc";
    g_assert_true(text_find(abc, 3, "", 0) == abc);
}

static void
test_next_hop_id(void)
{
    static const struct {
        const char *reply, *id;
    } cases[] = {
        {"250 2.0.0 Ok: queued as 4XbQ1k2mZ9z3", "4XbQ1k2mZ9z3"},
        {"250 2.0.0 Queued as ABC123 (mx)", "ABC123"},
        {"250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as EEEE55555", "EEEE55555"},
        {"250 OK id=1xVjZR-0002bP-0F", "1xVjZR-0002bP-0F"},
        {"250 2.0.0 queued  as DOUBLE", "DOUBLE"},
        {"250 2.0.0 queued for later; queued as LATER1", "LATER1"},
        {"250 2.0.0 requeued as NOPE", NULL},
        {"250 2.0.0 queued as", NULL},
        {"250 2.6.0 <x@y> [InternalId=123] Queued mail for delivery", NULL},
        {"250 Q7kF2 Message accepted for delivery", "Q7kF2"},
        {"250 2.0.0 Ok", NULL},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char out[64];
        gboolean found = mta_reply_next_hop_id(cases[i].reply, strlen(cases[i].reply), out,
                                               sizeof out);
        if (cases[i].id == NULL) {
            g_assert_false(found);
        } else {
            g_assert_true(found);
            g_assert_cmpstr(out, ==, cases[i].id);
        }
    }
}

static void
test_time(void)
{
    gint64 t = 0;
    g_assert_cmpuint(time_parse_iso8601("2026-11-28T10:01:02.5+01:00 x", 29, NULL, &t), ==, 27);
    char buf[32];
    g_assert_cmpstr(time_format(t, buf, sizeof buf), ==, "2026-11-28 09:01:02");
    g_assert_cmpint(t % G_USEC_PER_SEC, ==, 500000);
    g_assert_cmpuint(time_parse_iso8601("2026-02-30", 10, NULL, &t), ==, 0);
    t = time_parse_rfc5322("Tue, 3 Nov 2026 10:01:02 -0500 (EST)");
    g_assert_cmpstr(time_format(t, buf, sizeof buf), ==, "2026-11-03 15:01:02");
    g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
    if (berlin) {
        t = time_from_local(berlin, 2026, 7, 1, 12, 0, 0); /* CEST = +2 */
        g_assert_cmpstr(time_format(t, buf, sizeof buf), ==, "2026-07-01 10:00:00");
        t = time_from_local(berlin, 2026, 1, 1, 12, 0, 0);
        g_assert_cmpstr(time_format(t, buf, sizeof buf), ==, "2026-01-01 11:00:00");
    }
    g_assert_cmpint(time_days_from_civil(1970, 1, 1), ==, 0);
    int y, m, d;
    time_civil_from_days(time_days_from_civil(2024, 2, 29), &y, &m, &d);
    g_assert_cmpint(y * 10000 + m * 100 + d, ==, 20240229);
}

static void
test_syslog_classic_rollover(void)
{
    ParserOptions o = {.year = 2025};
    SyslogClock clock;
    syslog_clock_init(&clock, &o);
    SyslogLine sl;
    char l1[] = "Dec 31 23:59:58 mx1 postfix-out/smtp[123]: ABC: to=<a@b>";
    g_assert_true(syslog_parse(&clock, l1, strlen(l1), &sl));
    g_assert_cmpstr(sl.host, ==, "mx1");
    g_assert_cmpstr(sl.program, ==, "postfix-out/smtp");
    g_assert_cmpstr(sl.pid, ==, "123");
    g_assert_cmpstr(sl.message, ==, "ABC: to=<a@b>");
    char buf[32];
    g_assert_cmpstr(time_format(sl.time, buf, sizeof buf), ==, "2025-12-31 23:59:58");
    char l2[] = "Jan  1 00:00:03 mx1 postfix/qmgr[9]: removed";
    g_assert_true(syslog_parse(&clock, l2, strlen(l2), &sl));
    g_assert_cmpstr(time_format(sl.time, buf, sizeof buf), ==, "2026-01-01 00:00:03");
    g_assert_cmpstr(sl.pid, ==, "9");
}

static void
test_syslog_infers_year_from_reference(void)
{
    /* reference 2026-01-05: a December line belongs to 2025 */
    ParserOptions o = {.reference = time_days_from_civil(2026, 1, 5) * 86400 * G_USEC_PER_SEC};
    SyslogClock clock;
    syslog_clock_init(&clock, &o);
    SyslogLine sl;
    char l1[] = "Dec 30 10:00:00 h sendmail[1]: x";
    g_assert_true(syslog_parse(&clock, l1, strlen(l1), &sl));
    char buf[32];
    g_assert_cmpstr(time_format(sl.time, buf, sizeof buf), ==, "2025-12-30 10:00:00");
}

static void
test_syslog_rfc3339(void)
{
    SyslogClock clock;
    syslog_clock_init(&clock, NULL);
    SyslogLine sl;
    char l[] = "2026-11-28T10:01:02.123456+01:00 mail postfix/submission/smtpd[77]: connect from x";
    g_assert_true(syslog_parse(&clock, l, strlen(l), &sl));
    g_assert_cmpstr(sl.program, ==, "postfix/submission/smtpd");
    char buf[32];
    g_assert_cmpstr(time_format(sl.time, buf, sizeof buf), ==, "2026-11-28 09:01:02");
    char bad[] = "2026-11-28T10:01:02 nohost";
    g_assert_false(syslog_parse(&clock, bad, strlen(bad), &sl));
    char nopid[] = "Nov 28 10:01:02 h kernel: x";
    g_assert_true(syslog_parse(&clock, nopid, strlen(nopid), &sl));
    g_assert_null(sl.pid);
    const char *prog;
    gsize plen;
    g_assert_true(syslog_peek("Nov  2 10:01:02 h postfix/smtp[1]: x", 36, &prog, &plen));
    g_assert_cmpmem(prog, (int)plen, "postfix/smtp", 12);
}

static void
test_csv(void)
{
    g_autoptr(CsvReader) r = csv_reader_new(',');
    const char *rec = "a,\"b,c\",,\"d\"\"e\"";
    g_assert_cmpint(csv_reader_feed_line(r, rec, strlen(rec)), ==, CSV_RECORD);
    g_assert_cmpuint(csv_reader_n_fields(r), ==, 4);
    g_assert_cmpstr(csv_reader_field(r, 1), ==, "b,c");
    g_assert_cmpstr(csv_reader_field(r, 2), ==, "");
    g_assert_cmpstr(csv_reader_field(r, 3), ==, "d\"e");
    g_assert_cmpstr(csv_reader_field(r, 9), ==, "");
    g_assert_cmpint(csv_reader_feed_line(r, "x,\"multi", 8), ==, CSV_NEED_MORE);
    g_assert_true(csv_reader_pending(r));
    g_assert_cmpint(csv_reader_feed_line(r, "line\",y", 7), ==, CSV_RECORD);
    g_assert_cmpstr(csv_reader_field(r, 1), ==, "multi\nline");
    g_assert_cmpstr(csv_reader_field(r, 2), ==, "y");
    g_autofree char *many = g_strnfill(CSV_MAX_FIELDS + 5, ',');
    g_assert_cmpint(csv_reader_feed_line(r, many, strlen(many)), ==, CSV_ERROR);
    g_assert_cmpint(csv_reader_feed_line(r, "ok", 2), ==, CSV_RECORD);
    g_assert_cmpstr(csv_reader_field(r, 0), ==, "ok");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/core/pool", test_pool);
    g_test_add_func("/core/batch-sanitises", test_batch_sanitises);
    g_test_add_func("/core/pool-chunks", test_pool_chunks);
    g_test_add_func("/core/batch-copies-fields", test_batch_copies_fields);
    g_test_add_func("/core/batch-shares-host", test_batch_shares_host);
    g_test_add_func("/core/text-find", test_text_find);
    g_test_add_func("/core/batch-lengths", test_batch_lengths);
    g_test_add_func("/core/next-hop-id", test_next_hop_id);
    g_test_add_func("/core/time", test_time);
    g_test_add_func("/core/syslog-classic-rollover", test_syslog_classic_rollover);
    g_test_add_func("/core/syslog-infers-year", test_syslog_infers_year_from_reference);
    g_test_add_func("/core/syslog-rfc3339", test_syslog_rfc3339);
    g_test_add_func("/core/csv", test_csv);
    return g_test_run();
}
