/* Classifier throughput, two figures:
 *  (a) memo hits: realistic diagnostics that differ only in recipient, host, IP and message ids,
 *      so they normalise to a few dozen memo keys;
 *  (b) distinct texts: every text carries a word never seen before, so each one is a memo miss
 *      and goes through the whole rule table.
 * Usage: bench-classify [COUNT] [FILE]. With FILE (one diagnostic per line, e.g. the texts of a
 * real log), it also times those lines as they come. Build type matters: use a release or
 * debugoptimized build. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "classify.h"

static const char *const templates[] = {
    "host gmail-smtp-in.l.google.com[%s] said: 550-5.1.1 The email account that you tried to "
    "reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for "
    "typos or 550-5.1.1 unnecessary spaces. Learn more at 550 5.1.1 "
    "https://support.google.com/mail/?p=NoSuchUser %s - gsmtp (in reply to RCPT TO command)",
    "host %s[%s] said: 550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
    "mailbox table (in reply to RCPT TO command)",
    "host %s[%s] said: 452 4.2.2 <%s>: Mailbox full %s (in reply to RCPT TO command)",
    "host %s[%s] said: 450 4.2.0 <%s>: Recipient address rejected: Greylisted, see "
    "http://postgrey.schweikert.ch/help/%s.html (in reply to RCPT TO command)",
    "connect to %s[%s]:25: Connection timed out",
    "connect to %s[%s]:25: Connection refused",
    "delivery temporarily suspended: connect to %s[%s]:25: Connection refused",
    "lost connection with %s[%s] while sending RCPT TO",
    "conversation with %s[%s] timed out while receiving the initial server greeting",
    "host %s[%s] refused to talk to me: 554 5.7.1 Service unavailable; client host [%s] blocked "
    "using zen.spamhaus.org",
    "Host or domain name not found. Name service error for name=%s type=MX: Host not found",
    "host outlook-com.olc.protection.outlook.com[%s] said: 550 5.1.10 "
    "RESOLVER.ADR.RecipientNotFound; Recipient %s not found by SMTP address lookup [%s] (in reply "
    "to RCPT TO command)",
    "host mta7.am0.yahoodns.net[%s] said: 554 30 Sorry, your message to %s cannot be delivered. "
    "This mailbox is disabled (554.30). (in reply to end of DATA command)",
    "host %s[%s] said: 421-4.7.28 [%s 15] Our system has detected an unusual rate of 421-4.7.28 "
    "unsolicited mail originating from your IP address. %s - gsmtp (in reply to end of DATA "
    "command)",
    "SMTP error from remote mail server after RCPT TO:<%s>: host %s [%s]: 550 5.1.1 <%s>: "
    "Recipient address rejected: User unknown",
    "SMTP error from remote mail server after end of data: host %s [%s]: 550 5.7.1 Message "
    "rejected as spam %s",
    "%s does not like recipient. Remote host said: 550 5.1.1 <%s>... User unknown",
    "... while talking to %s.: >>> RCPT To:<%s> <<< 550 5.1.1 <%s>... User unknown",
    "host %s[%s] said: 554 5.7.1 <%s>: Relay access denied (in reply to RCPT TO command)",
    "host %s[%s] said: 552 5.3.4 Message size exceeds fixed limit %s (in reply to end of DATA "
    "command)",
};

/* Fills buf from a template with per-message variety (addresses, hosts, IPs, ids). */
static void
make_text(char *buf, gsize size, guint t, guint i, const char *extra)
{
    char addr[64], host[64], ip[32], id[48];
    g_snprintf(addr, sizeof addr, "user%u.n%u@example%u.org", i, i * 7, i % 50);
    g_snprintf(host, sizeof host, "mx%u.example%u.org", i % 5, i % 50);
    g_snprintf(ip, sizeof ip, "192.0.%u.%u", (i / 256) % 256, i % 256);
    g_snprintf(id, sizeof id, "a%08xsi%06u.%u", i * 2654435761u, i, i % 1000);
    const char *fmt = templates[t];
    /* every %s gets the next of these, cyclically */
    const char *args[] = {host, ip, addr, id, ip, addr, host, id};
    GString *s = g_string_new(NULL);
    guint k = 0;
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            g_string_append(s, args[k++ % G_N_ELEMENTS(args)]);
            p++;
        } else {
            g_string_append_c(s, *p);
        }
    }
    if (extra != NULL) {
        g_string_append_c(s, ' ');
        g_string_append(s, extra);
    }
    g_strlcpy(buf, s->str, size);
    g_string_free(s, TRUE);
}

/* CPU time of this thread in seconds: the machines this runs on are shared, wall time is not
 * what the classifier costs */
static double
cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
run(Classifier *c, char **texts, guint n, guint rounds)
{
    double t0 = cpu_seconds();
    guint64 sum = 0;
    for (guint r = 0; r < rounds; r++)
        for (guint i = 0; i < n; i++) {
            ClassifyInput in = {.kind = EVENT_KIND_DEFERRED, .text = texts[i]};
            Classification out;
            classifier_classify(c, &in, &out);
            sum += (guint64)out.step;
        }
    double t1 = cpu_seconds();
    (void)sum;
    return (double)n * rounds / (t1 - t0);
}

int
main(int argc, char **argv)
{
    guint n = argc > 1 ? (guint)g_ascii_strtoull(argv[1], NULL, 10) : 200000;
    if (n == 0)
        n = 200000;
    char **texts = g_new0(char *, n);
    char buf[1024];

    /* (a) memo hits */
    for (guint i = 0; i < n; i++) {
        make_text(buf, sizeof buf, i % G_N_ELEMENTS(templates), i, NULL);
        texts[i] = g_strdup(buf);
    }
    Classifier *c = classifier_new();
    guint n_rules = classifier_n_rules(c);
    run(c, texts, n, 1); /* warm up: every key in the memo */
    double hits = run(c, texts, n, 5);
    guint memo = classifier_memo_size(c);
    classifier_free(c);

    /* (b) distinct texts: a new word in each */
    for (guint i = 0; i < n; i++) {
        char word[8];
        guint v = i;
        for (int k = 0; k < 7; k++) {
            word[k] = (char)('a' + v % 26);
            v /= 26;
        }
        word[7] = '\0';
        make_text(buf, sizeof buf, i % G_N_ELEMENTS(templates), i, word);
        g_free(texts[i]);
        texts[i] = g_strdup(buf);
    }
    c = classifier_new();
    double misses = run(c, texts, n, 1);
    classifier_free(c);

    printf("classifier: %u built-in rules, %u templates\n", n_rules,
           (guint)G_N_ELEMENTS(templates));
    gsize bytes = 0;
    for (guint i = 0; i < n; i++)
        bytes += strlen(texts[i]);
    printf(
        "(a) memo hits:      %10.0f classifications/s of CPU time (%u inputs x 5, %u memo keys)\n",
        hits, n, memo);
    printf("(b) distinct texts: %10.0f classifications/s of CPU time (%u inputs, all misses)\n",
           misses, n);
    printf("    texts average %u bytes\n", (guint)(bytes / n));

    if (argc > 2) {
        g_autofree char *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(argv[2], &data, &len, NULL)) {
            fprintf(stderr, "cannot read %s\n", argv[2]);
            return 1;
        }
        g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
        guint m = g_strv_length(lines);
        c = classifier_new();
        double first = run(c, lines, m, 1);
        guint keys = classifier_memo_size(c);
        double again = run(c, lines, m, 5);
        classifier_free(c);
        printf("(c) %s: %u lines, %u memo keys; first pass %.0f/s, repeated %.0f/s\n", argv[2], m,
               keys, first, again);
    }
    for (guint i = 0; i < n; i++)
        g_free(texts[i]);
    g_free(texts);
    return 0;
}
