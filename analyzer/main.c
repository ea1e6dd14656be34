/* mailtrail's command line: parses options, runs the report, prints the one-line summary and
 * any errors. The only place that prints errors. */
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "parser.h"
#include "run.h"

#define EXIT_OK 0
#define EXIT_INPUT_PROBLEMS 1
#define EXIT_USAGE 2

static const char summary_text[] =
    "Reads MTA logs (Postfix, Exim, Sendmail, PowerMTA, KumoMTA, OpenSMTPD, MailerQ), SMTP\n"
    "transcripts, the sending application's event log and bounce mailboxes (mbox, Maildir,\n"
    ".eml; plain or in .gz/.bz2/.xz/.zst, tar or zip), rebuilds one timeline per message and\n"
    "recipient, and reports every failure by the step where it happened (compile, resolve,\n"
    "connect, greeting, helo, tls, mail-from, rcpt-to, data, end-of-data, after acceptance)\n"
    "and its cause. Writes DIR/mailtrail-report.xlsx and the same tables as DIR/*.csv.\n"
    "\n"
    "INPUT is a file, a directory (read recursively) or - for standard input. The format of\n"
    "each file and archive member is detected from its first lines.\n"
    "\n"
    "Exit status: 0 report written; 1 report written, but some input could not be read or\n"
    "understood (see the Inputs sheet); 2 usage or fatal error.";

static void
print_formats(void)
{
    printf("Input formats (detected automatically; --format NAME forces one):\n");
    for (const ParserClass *const *p = parser_registry(); *p; p++)
        printf("  %-14s %s\n", (*p)->name, (*p)->description);
}

static char **
split_commas(char **values)
{
    GPtrArray *out = g_ptr_array_new();
    for (int i = 0; values && values[i]; i++) {
        g_auto(GStrv) parts = g_strsplit(values[i], ",", -1);
        for (int k = 0; parts[k]; k++) {
            g_strstrip(parts[k]);
            if (*parts[k])
                g_ptr_array_add(out, g_strdup(parts[k]));
        }
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static void
print_summary(const RunResult *r)
{
    const Counts *c = &r->counts;
    fprintf(stderr,
            "mailtrail: %u input%s, %" G_GUINT64_FORMAT " lines, %" G_GUINT64_FORMAT
            " mailbox items; %" G_GUINT64_FORMAT " recipients: %" G_GUINT64_FORMAT
            " delivered, %" G_GUINT64_FORMAT " failed, %" G_GUINT64_FORMAT
            " expired, %" G_GUINT64_FORMAT " bounced after acceptance, %" G_GUINT64_FORMAT
            " pending; %" G_GUINT64_FORMAT " other received\n",
            r->streams, r->streams == 1 ? "" : "s", r->lines, r->items, c->recipients,
            c->outcome[OUTCOME_DELIVERED], c->outcome[OUTCOME_FAILED],
            c->outcome[OUTCOME_EXPIRED], c->outcome[OUTCOME_BOUNCED_AFTER],
            c->outcome[OUTCOME_PENDING], r->other_received);
    if (r->lines_unrecognised || r->items_unrecognised || r->errors) {
        fprintf(stderr,
                "mailtrail: input problems: %" G_GUINT64_FORMAT " unrecognised lines, %" G_GUINT64_FORMAT
                " unparsed mailbox items, %" G_GUINT64_FORMAT
                " read errors (details on the Inputs sheet)\n",
                r->lines_unrecognised, r->items_unrecognised, r->errors);
        guint shown = 0;
        for (guint i = 0; i < r->problems->len && shown < 10; i++) {
            const char *p = r->problems->pdata[i];
            if (g_str_has_suffix(p, ": empty"))
                continue;
            fprintf(stderr, "mailtrail:   %s\n", p);
            shown++;
        }
    }
    if (r->xlsx_path)
        printf("%s\n", r->xlsx_path);
    if (r->csv_paths->len) {
        g_autofree char *dir = g_path_get_dirname(r->csv_paths->pdata[0]);
        printf("%s/*.csv (%u files)\n", dir, r->csv_paths->len);
    }
}

static int
cmd_report(int argc, char **argv)
{
    gboolean version = FALSE, list_formats = FALSE, quiet = FALSE, no_progress = FALSE,
             progress = FALSE;
    g_auto(GStrv) rules = NULL, verp = NULL, our_mta = NULL, sheets_raw = NULL;
    g_autofree char *output = NULL, *format = NULL, *timezone = NULL;
    int year = 0, window = 30;
    RunOptions o = {0};
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
         "Write the report into DIR (default: mailtrail-report)", "DIR"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &format,
         "Read every input as this format instead of detecting it (see --list-formats)", "NAME"},
        {"year", 0, 0, G_OPTION_ARG_INT, &year,
         "Year of the first classic syslog line ('Nov 28 10:01:02'), instead of inferring it "
         "from the file's date",
         "YEAR"},
        {"timezone", 0, 0, G_OPTION_ARG_STRING, &timezone,
         "Time zone of timestamps that carry none (default: this machine's, $TZ)", "ZONE"},
        {"rules", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rules,
         "Classification rules tried before the built-in ones (repeatable; docs/rules.md)",
         "FILE"},
        {"verp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &verp,
         "VERP pattern of your bounce addresses: a regex with (?<recipient>..), "
         "(?<local>..)+(?<domain>..) or (?<token>..) (repeatable)",
         "REGEX"},
        {"our-mta", 0, 0, G_OPTION_ARG_STRING_ARRAY, &our_mta,
         "Host name of one of your own MTAs, for bounces whose logs are not among the inputs "
         "(repeatable)",
         "HOST"},
        {"link-window", 0, 0, G_OPTION_ARG_INT, &window,
         "Days a bounce may arrive after its message (default 30)", "DAYS"},
        {"sheets", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sheets_raw,
         "Only these sheets/CSV tables (comma-separated): summary, steps, domains, providers, "
         "servers, codes, campaigns, daily, messages, suppress, other, inputs, quality",
         "LIST"},
        {"no-messages", 0, 0, G_OPTION_ARG_NONE, &o.no_messages,
         "Leave out the per-message rows (Messages sheet and messages.csv)", NULL},
        {"include-local", 0, 0, G_OPTION_ARG_NONE, &o.include_local,
         "Count mail delivered only to this server's own mailboxes (by default it is mail "
         "received, such as bounces, and left out)",
         NULL},
        {"no-xlsx", 0, 0, G_OPTION_ARG_NONE, &o.no_xlsx, "Write only the CSV files", NULL},
        {"no-csv", 0, 0, G_OPTION_ARG_NONE, &o.no_csv, "Write only the XLSX workbook", NULL},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &progress,
         "Show progress on stderr even when it is not a terminal", NULL},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "Never show progress", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
         "Print nothing but errors (for cron; the exit status still tells)", NULL},
        {"list-formats", 0, 0, G_OPTION_ARG_NONE, &list_formats, "List the input formats", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("INPUT... - delivery report");
    g_option_context_set_summary(ctx, summary_text);
    g_option_context_set_description(
        ctx, "Examples:\n"
             "  mailtrail report /var/log/mail.log* bounces.tar.gz\n"
             "  mailtrail report -o /srv/reports/$(date +%F) --no-progress -q /var/log/mail.log\n"
             "  zcat mail.log.2.gz | mailtrail report --format postfix -\n");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) error = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "mailtrail: %s\nTry 'mailtrail report --help'.\n", error->message);
        return EXIT_USAGE;
    }
    if (version) {
        printf("mailtrail %s\n", MAILTRAIL_VERSION);
        return EXIT_OK;
    }
    if (list_formats) {
        print_formats();
        return EXIT_OK;
    }
    if (argc < 2) {
        fprintf(stderr, "mailtrail: no input given\nTry 'mailtrail report --help'.\n");
        return EXIT_USAGE;
    }
    if (year < 0 || year > 9999 || window <= 0) {
        fprintf(stderr, "mailtrail: --year and --link-window must be positive\n");
        return EXIT_USAGE;
    }
    if (o.no_xlsx && o.no_csv) {
        fprintf(stderr, "mailtrail: --no-xlsx and --no-csv together leave nothing to write\n");
        return EXIT_USAGE;
    }
    o.inputs = argv + 1;
    o.output = output ? output : (char *)"mailtrail-report";
    o.format = format;
    o.year = year;
    o.timezone = timezone;
    o.rules = rules;
    o.verp = verp;
    o.our_mta = our_mta;
    g_auto(GStrv) sheets = sheets_raw ? split_commas(sheets_raw) : NULL;
    o.sheets = sheets;
    o.progress = !no_progress && !quiet && (progress || isatty(STDERR_FILENO));
    o.link_window_days = window;

    RunResult result;
    gboolean ok = run_report(&o, &result, &error);
    if (!ok) {
        fprintf(stderr, "mailtrail: %s\n", error->message);
        run_result_clear(&result);
        return EXIT_USAGE;
    }
    int status = (result.lines_unrecognised || result.items_unrecognised || result.errors)
                     ? EXIT_INPUT_PROBLEMS
                     : EXIT_OK;
    if (!quiet)
        print_summary(&result);
    run_result_clear(&result);
    return status;
}

static void
usage(FILE *f)
{
    fprintf(f, "Usage: mailtrail report [OPTION...] INPUT...\n"
               "       mailtrail formats\n"
               "       mailtrail --version\n"
               "\n"
               "What happened to every message you sent, and why: a delivery report by step\n"
               "and cause from MTA logs, SMTP transcripts, application logs and bounce\n"
               "mailboxes. 'mailtrail report --help' describes the options.\n");
}

int
main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "report") == 0)
        return cmd_report(argc - 1, argv + 1);
    if (strcmp(cmd, "formats") == 0) {
        print_formats();
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        printf("mailtrail %s\n", MAILTRAIL_VERSION);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    fprintf(stderr, "mailtrail: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
