/* The classifier: one table of realistic diagnostics (Postfix, Exim, qmail, sendmail, providers,
 * codes alone, foreign DSNs) with the step, cause and permanence each must get; user rules and
 * bad rules files; the taxonomy and status code tables; the memo table; hostile input. */
#include <glib/gstdio.h>
#include <string.h>

#include "classify.h"

/* expected permanence / confidence; 0 = not checked */
enum { P_ANY, P_TEMP, P_PERM, P_NONE };
enum { C_ANY, C_NONE, C_CODE, C_TEXT, C_EXPLICIT };

typedef struct {
    const char *name;
    /* input */
    EventKind kind;
    guint16 reply;
    const char *enhanced;
    const char *text;
    gboolean foreign;
    const char *hint;
    const char *vendor;
    Step hint_step;
    Confidence hint_conf;
    /* expected */
    Step step;
    const char *cause;
    int perm;
    int conf;
    Step remote;
    guint flags;           /* these flags must be set */
    gboolean unknown_step; /* check that step (or remote step) is STEP_UNKNOWN */
} Case;

#define F EVENT_KIND_FAILED
#define D EVENT_KIND_DEFERRED
#define B EVENT_KIND_BOUNCE

static const Case cases[] = {
    /* ---- Postfix: the reply and the command it answered ---- */
    {"pf/rcpt-gmail-not-exist", F, 0, "5.1.1",
     "host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.1.1 The email account that you "
     "tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email "
     "address for typos or 550-5.1.1 unnecessary spaces. Learn more at 550 5.1.1  "
     "https://support.google.com/mail/?p=NoSuchUser d2e1a72fcca58-7251ab7d3a1si123456b3a.123 - "
     "gsmtp (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/rcpt-user-unknown", F, 550, "5.1.1",
     "host mx.example.com[192.0.2.5] said: 550 5.1.1 <x@example.com>: Recipient address rejected: "
     "User unknown in virtual mailbox table (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/mail-from-spf", F, 550, "5.7.23",
     "host mx.spf-strict.example[203.0.113.22] said: 550 5.7.23 SPF validation failed (in reply "
     "to MAIL FROM command)",
     .step = STEP_MAIL_FROM, .cause = "authentication-failed", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/data-no-valid-rcpt", F, 554, "5.5.1",
     "host mx.data-reject.example[203.0.113.33] said: 554 5.5.1 Error: no valid recipients (in "
     "reply to DATA command)",
     .step = STEP_DATA, .cause = "no-valid-recipients", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/eod-gmail-spam", F, 550, "5.7.1",
     "host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.7.1 [192.0.2.10 12] Our system has "
     "detected that this 550-5.7.1 message is likely unsolicited mail. To reduce the amount of "
     "spam sent 550-5.7.1 to Gmail, this message has been blocked. (in reply to end of DATA "
     "command)",
     .step = STEP_END_OF_DATA, .cause = "content-spam", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/eod-gmail-dmarc", F, 550, "5.7.26",
     "host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.7.26 Unauthenticated email from "
     "news.northwind.example is not accepted due to 550-5.7.26 domain's DMARC policy. (in reply "
     "to end of DATA command)",
     .step = STEP_END_OF_DATA, .cause = "authentication-failed", .perm = P_PERM},
    {"pf/eod-yahoo-disabled", F, 554, NULL,
     "host mta7.am0.yahoodns.net[98.136.96.74] said: 554 30 Sorry, your message to "
     "xenia.kraus@yahoo.com cannot be delivered. This mailbox is disabled (554.30). (in reply to "
     "end of DATA command)",
     .step = STEP_END_OF_DATA, .cause = "mailbox-disabled", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/eod-virus", F, 554, "5.7.1",
     "host mx.example.org[192.0.2.8] said: 554 5.7.1 Rejected: virus found in message (in reply to "
     "end of DATA command)",
     .step = STEP_END_OF_DATA, .cause = "content-virus", .perm = P_PERM},
    {"pf/eod-too-large", F, 552, "5.3.4",
     "host mx.example.org[192.0.2.8] said: 552 5.3.4 Message size exceeds fixed limit (in reply "
     "to end of DATA command)",
     .step = STEP_END_OF_DATA, .cause = "message-too-large", .perm = P_PERM},
    {"pf/rcpt-microsoft-5.1.10", F, 550, "5.1.10",
     "host outlook-com.olc.protection.outlook.com[52.101.42.0] said: 550 5.1.10 "
     "RESOLVER.ADR.RecipientNotFound; Recipient yvonne.haas@outlook.com not found by SMTP address "
     "lookup (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/rcpt-gmx-full", D, 452, "4.2.2",
     "host mx00.emig.gmx.net[212.227.15.9] said: 452 4.2.2 Mailbox full (in reply to RCPT TO "
     "command)",
     .step = STEP_RCPT_TO, .cause = "mailbox-full", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/rcpt-greylisted", D, 450, "4.2.0",
     "host open.example.nl[10.49.140.10] said: 450 4.2.0 <adam.stein@greylist.example>: Recipient "
     "address rejected: Greylisted, see http://postgrey.schweikert.ch/help/greylist.example.html "
     "(in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "greylisted", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/rcpt-greylisted-gmx", D, 451, NULL,
     "host mailin6.relay.example.com[141.30.67.69] said: 451-You have been greylisted. This is "
     "part of our standard anti-spam measures 451-and your mail system should automatically try "
     "again later. (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "greylisted", .perm = P_TEMP},
    {"pf/rcpt-gmail-rate-4.7.28", D, 421, "4.7.28",
     "host gmail-smtp-in.l.google.com[142.250.1.26] said: 421-4.7.28 [192.0.2.10 15] Our system "
     "has detected an unusual rate of 421-4.7.28 unsolicited mail originating from your IP "
     "address. To protect our 421-4.7.28 users from spam, mail sent from your IP address has been "
     "temporarily 421-4.7.28 rate limited. (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "rate-limited", .perm = P_TEMP},
    {"pf/rcpt-relay-denied", F, 554, "5.7.1",
     "host mx.relay-closed.example[203.0.113.29] said: 554 5.7.1 "
     "<clara.voss@relay-closed.example>: "
     "Relay access denied (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "relay-denied", .perm = P_PERM},
    {"pf/rcpt-spamhaus", F, 554, "5.7.1",
     "host mx.example.net[198.51.100.3] said: 554 5.7.1 Service unavailable; Client host "
     "[192.0.2.10] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.10 "
     "(in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "reputation-block", .perm = P_PERM},
    {"pf/mail-from-microsoft-blocklist", F, 550, "5.7.1",
     "host hotmail-com.olc.protection.outlook.com[104.47.10.33] said: 550 5.7.1 Unfortunately, "
     "messages from [142.93.169.220] weren't sent. Please contact your Internet service provider "
     "since part of their network is on our block list (S3140). You can also refer your provider "
     "to http://mail.live.com/mail/troubleshooting.aspx#errors. "
     "[DB5EUR03FT029.eop-EUR03.prod.protection.outlook.com] (in reply to MAIL FROM command)",
     .step = STEP_MAIL_FROM, .cause = "reputation-block", .perm = P_PERM},
    {"pf/rcpt-helo-delayed-reject", F, 504, "5.5.2",
     "host mx.example.org[192.0.2.8] said: 504 5.5.2 <mta1>: Helo command rejected: need "
     "fully-qualified hostname (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "helo-rejected", .perm = P_PERM},
    {"pf/rcpt-sender-domain-delayed-reject", F, 450, "4.1.8",
     "host mx.example.org[192.0.2.8] said: 450 4.1.8 <bounces@news.northwind.example>: Sender "
     "address rejected: Domain not found (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "sender-domain-invalid"},
    {"pf/rcpt-over-quota-4.1.1", D, 452, "4.1.1",
     "host ALT2.ASPMX.L.GOOGLE.com[3.155.237.60] said: 452 4.1.1 <h-664d01@h-695da2287.com> user "
     "is over quota, please try again later (in reply to RCPT TO command)",
     .step = STEP_RCPT_TO, .cause = "mailbox-full", .perm = P_TEMP},
    {"pf/xforward", D, 0, NULL,
     "host 127.0.0.1[127.0.0.1] said: 501 5.5.4 Bad XFORWARD attribute (in reply to XFORWARD "
     "name/address command)",
     .step = STEP_HELO, .cause = "protocol-error", .conf = C_EXPLICIT},
    /* ---- Postfix: transport failures, by where they happened ---- */
    {"pf/greeting-timeout", D, 0, "4.4.2",
     "conversation with mx.timeout-banner.example[203.0.113.19] timed out while receiving the "
     "initial server greeting",
     .step = STEP_GREETING, .cause = "timeout", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/greeting-lost", D, 0, "4.4.2",
     "lost connection with mx.example.net[198.51.100.9] while receiving the initial server "
     "greeting",
     .step = STEP_GREETING, .cause = "connection-lost", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/ehlo-lost", D, 0, "4.4.2",
     "lost connection with mx2.qq.com[184.105.206.86] while performing the EHLO handshake",
     .step = STEP_HELO, .cause = "connection-lost", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/helo-timeout", D, 0, "4.4.2",
     "conversation with mx.example.net[198.51.100.9] timed out while performing the HELO handshake",
     .step = STEP_HELO, .cause = "timeout", .conf = C_EXPLICIT},
    {"pf/mail-from-lost", D, 0, "4.4.2",
     "lost connection with mx.example.net[198.51.100.9] while sending MAIL FROM",
     .step = STEP_MAIL_FROM, .cause = "connection-lost", .conf = C_EXPLICIT},
    {"pf/mail-from-timeout", D, 0, "4.4.2",
     "conversation with mx.example.net[198.51.100.9] timed out while sending MAIL FROM",
     .step = STEP_MAIL_FROM, .cause = "timeout", .conf = C_EXPLICIT},
    {"pf/rcpt-lost", D, 0, "4.4.2",
     "lost connection with mx.example.net[198.51.100.9] while sending RCPT TO",
     .step = STEP_RCPT_TO, .cause = "connection-lost", .conf = C_EXPLICIT},
    {"pf/data-lost", D, 0, "4.4.2",
     "lost connection with mx.flaky.example[203.0.113.34] while sending DATA command",
     .step = STEP_DATA, .cause = "connection-lost", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/body-timeout", D, 0, "4.4.2",
     "conversation with mx.example.net[198.51.100.9] timed out while sending message body",
     .step = STEP_END_OF_DATA, .cause = "timeout", .conf = C_EXPLICIT},
    {"pf/eod-timeout-duplicate", D, 0, "4.4.2",
     "conversation with mx.slow-eod.example[203.0.113.32] timed out while sending end of data -- "
     "message may be sent more than once",
     .step = STEP_END_OF_DATA, .cause = "timeout", .perm = P_TEMP, .conf = C_EXPLICIT,
     .flags = CLASSIFY_FLAG_MAY_DUPLICATE},
    {"pf/eod-lost-duplicate", D, 0, "4.4.2",
     "lost connection with mx.slow-eod.example[203.0.113.32] while sending end of data -- message "
     "may be sent more than once",
     .step = STEP_END_OF_DATA, .cause = "connection-lost", .flags = CLASSIFY_FLAG_MAY_DUPLICATE},
    {"pf/connect-refused", D, 0, "4.4.1",
     "connect to mail.kleinbetrieb.de[198.51.100.7]:25: Connection refused", .step = STEP_CONNECT,
     .cause = "connection-refused", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/connect-timeout", D, 0, "4.4.1",
     "connect to mx.firewalled.example[203.0.113.17]:25: Connection timed out",
     .step = STEP_CONNECT, .cause = "connection-timeout", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/connect-no-route", D, 0, "4.4.1",
     "connect to nyaan.example.com[192.0.2.2]:25: No route to host", .step = STEP_CONNECT,
     .cause = "network-unreachable", .conf = C_EXPLICIT},
    {"pf/connect-unreachable", D, 0, "4.4.1",
     "connect to mx.example.com[2001:db8::25]:25: Network is unreachable", .step = STEP_CONNECT,
     .cause = "network-unreachable", .conf = C_EXPLICIT},
    {"pf/connect-no-name", D, 0, "4.4.1",
     "connect to 192.0.2.77[192.0.2.77]:25: Connection refused", .step = STEP_CONNECT,
     .cause = "connection-refused", .conf = C_EXPLICIT},
    {"pf/dns-not-found", F, 0, "5.4.4",
     "Host or domain name not found. Name service error for name=gmial.com type=MX: Host not found",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/dns-try-again", D, 0, "4.4.3",
     "Host or domain name not found. Name service error for name=slowdns.example type=A: Host not "
     "found, try again",
     .step = STEP_RESOLVE, .cause = "dns-failure", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/dns-ns-not-found", F, 0, "5.4.4",
     "Name service error for name=nosuch.example type=A: Host not found",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/dns-malformed", D, 0, "4.4.3",
     "Name service error for name=example.org type=MX: Malformed or unexpected name server reply",
     .step = STEP_RESOLVE, .cause = "dns-misconfigured", .conf = C_EXPLICIT},
    {"pf/null-mx", F, 0, "5.1.0",
     "Domain nullmx.northwind-partner.example does not accept mail (nullMX)", .step = STEP_RESOLVE,
     .cause = "null-mx", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/loops-back", F, 0, "5.4.6", "mail for loop.example loops back to myself",
     .step = STEP_RESOLVE, .cause = "routing-loop", .perm = P_PERM, .conf = C_EXPLICIT},
    {"pf/refused-to-talk-5xx-deferred", D, 0, "4.7.1",
     "host mx.blocked-banner.example[203.0.113.18] refused to talk to me: 554 5.7.1 Service "
     "unavailable; client host [192.0.2.10] blocked using zen.spamhaus.org",
     .step = STEP_GREETING, .cause = "reputation-block", .perm = P_TEMP, .conf = C_TEXT},
    {"pf/refused-to-talk-421", D, 0, NULL,
     "host mx.example.net[198.51.100.9] refused to talk to me: 421 4.7.0 mx.example.net Too many "
     "connections from your IP, try again later",
     .step = STEP_GREETING, .cause = "busy", .perm = P_TEMP, .conf = C_TEXT},
    {"pf/refused-to-talk-554", D, 0, NULL,
     "host mx.example.net[198.51.100.9] refused to talk to me: 554 mx.example.net ESMTP not "
     "accepting messages",
     .step = STEP_GREETING, .cause = "not-accepting-mail", .conf = C_TEXT},
    {"pf/refused-to-talk-helo", F, 0, "5.7.1",
     "host mx.strict-helo.example[203.0.113.20] refused to talk to me: 550 5.7.1 HELO rejected",
     .step = STEP_HELO, .cause = "helo-rejected", .perm = P_PERM, .conf = C_TEXT},
    {"pf/suspended-connect", D, 0, "4.4.1",
     "delivery temporarily suspended: connect to mail.kleinbetrieb.de[198.51.100.7]:25: Connection "
     "refused",
     .step = STEP_CONNECT, .cause = "connection-refused", .perm = P_TEMP,
     .flags = CLASSIFY_FLAG_NOT_ATTEMPTED},
    {"pf/suspended-rcpt", D, 0, "4.4.2",
     "delivery temporarily suspended: lost connection with mta7.am0.yahoodns.net[98.136.216.22] "
     "while sending RCPT TO",
     .step = STEP_RCPT_TO, .cause = "connection-lost", .flags = CLASSIFY_FLAG_NOT_ATTEMPTED},
    {"pf/suspended-greeting", D, 0, NULL,
     "delivery temporarily suspended: host mfsmax.example.net[203.0.113.127] refused to talk to "
     "me: 421 Service not available, closing transmission channel",
     .step = STEP_GREETING, .cause = "busy", .flags = CLASSIFY_FLAG_NOT_ATTEMPTED},
    {"pf/tls-not-offered", D, 0, "4.7.4",
     "TLS is required, but was not offered by host mx.tls-only.example[203.0.113.21]",
     .step = STEP_TLS, .cause = "tls-not-offered", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"pf/tls-handshake", D, 0, "4.7.5", "Cannot start TLS: handshake failure", .step = STEP_TLS,
     .cause = "tls-handshake-failed", .conf = C_EXPLICIT},
    {"pf/tls-untrusted", D, 0, "4.7.5",
     "Server certificate not trusted (mx.dane.example[203.0.113.40])", .step = STEP_TLS,
     .cause = "tls-certificate-invalid", .conf = C_EXPLICIT},
    {"pf/sasl", D, 0, "4.7.0",
     "SASL authentication failed; server smtp.relay.example[192.0.2.40] said: 535 5.7.8 Error: "
     "authentication failed: authentication failure",
     .step = STEP_HELO, .cause = "auth-failed", .conf = C_EXPLICIT},
    {"pf/quit-after-delivery", EVENT_KIND_DELIVERED, 0, NULL,
     "host mx.example.net[198.51.100.9] said: 421 4.4.2 mx.example.net Error: timeout exceeded (in "
     "reply to QUIT command)",
     .step = STEP_QUIT, .cause = "quit-failure", .perm = P_NONE, .conf = C_EXPLICIT},
    {"pf/delivered", EVENT_KIND_DELIVERED, 250, "2.0.0",
     "250 2.0.0 OK  1607509104 z6si1138927wrp.107 - gsmtp", .cause = "accepted", .perm = P_NONE},
    {"mailerq/data-lost", D, 0, NULL,
     "connection lost while waiting for a response to DATA", .hint_step = STEP_DATA,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_DATA, .cause = "connection-lost",
     .perm = P_TEMP, .conf = C_EXPLICIT},
    /* ---- Exim ---- */
    {"exim/rcpt", F, 0, NULL,
     "SMTP error from remote mail server after RCPT TO:<ute@example.org>: 550 5.1.1 "
     "<ute@example.org>: Recipient address rejected: User unknown in local recipient table",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"exim/rcpt-pipelined-greylist", D, 0, NULL,
     "R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.3]: SMTP error from remote "
     "mail server after pipelined RCPT TO:<a@example.org>: 451 4.7.1 Greylisted, please try later",
     .step = STEP_RCPT_TO, .cause = "greylisted", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"exim/mail-from-size", F, 0, NULL,
     "SMTP error from remote mail server after MAIL FROM:<orders@shop1.northwind.example> "
     "SIZE=52428800: 552 5.3.4 Message size exceeds fixed limit",
     .step = STEP_MAIL_FROM, .cause = "message-too-large", .perm = P_PERM, .conf = C_EXPLICIT},
    {"exim/eod-spam", F, 0, NULL,
     "SMTP error from remote mail server after end of data: 550 5.7.1 Message rejected as spam",
     .step = STEP_END_OF_DATA, .cause = "content-spam", .conf = C_EXPLICIT},
    {"exim/eod-pipelined-temp", D, 0, NULL,
     "SMTP error from remote mail server after pipelined end of data: 451 Temporary local problem "
     "- please try later",
     .step = STEP_END_OF_DATA, .cause = "temporary-failure", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"exim/initial-connection", F, 0, NULL,
     "SMTP error from remote mail server after initial connection: host mailer.campus.mipt.ru "
     "[194.85.82.4]: 554 mailer.campus.mipt.ru ESMTP not accepting messages",
     .step = STEP_GREETING, .cause = "not-accepting-mail", .perm = P_PERM, .conf = C_EXPLICIT},
    {"exim/ehlo", F, 0, NULL,
     "SMTP error from remote mail server after EHLO shop1.northwind.example: 550 5.7.1 Bad HELO "
     "- Host impersonating domain name",
     .step = STEP_HELO, .cause = "helo-rejected", .conf = C_EXPLICIT},
    {"exim/data", F, 0, NULL,
     "SMTP error from remote mail server after DATA: 554 5.7.1 Transaction refused",
     .step = STEP_DATA, .cause = "rejected", .conf = C_EXPLICIT},
    {"exim/timeout-eod", D, 0, NULL,
     "R=dnslookup T=remote_smtp defer (110): Connection timed out H=mx.example.org [192.0.2.3]: "
     "SMTP timeout after end of data (1234 bytes written)",
     .step = STEP_END_OF_DATA, .cause = "timeout", .conf = C_EXPLICIT,
     .flags = CLASSIFY_FLAG_MAY_DUPLICATE},
    {"exim/closed-greeting", D, 0, NULL,
     "R=dnslookup T=remote_smtp defer (-18) H=mx.example.org [192.0.2.3]: Remote host closed "
     "connection in response to initial connection",
     .step = STEP_GREETING, .cause = "connection-lost", .conf = C_EXPLICIT},
    {"exim/unrouteable", F, 0, NULL, "Unrouteable address", .step = STEP_RESOLVE,
     .cause = "domain-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"exim/mx-nonexistent", F, 0, NULL, "all relevant MX records point to non-existent hosts",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .conf = C_EXPLICIT},
    {"exim/retry-timeout", F, 0, NULL, "retry timeout exceeded", .cause = "retry-window-exceeded",
     .perm = P_PERM},
    {"exim/retry-not-reached", D, 0, NULL,
     "R=dnslookup T=remote_smtp defer (-53): retry time not reached for any host",
     .step = STEP_CONNECT, .cause = "not-attempted", .perm = P_TEMP,
     .flags = CLASSIFY_FLAG_NOT_ATTEMPTED},
    {"exim/failing-long", F, 0, NULL,
     "all hosts for 'example.org' have been failing for a long time (and retry time not reached)",
     .unknown_step = TRUE, .cause = "retry-window-exceeded", .perm = P_PERM},
    {"exim/connection-refused", D, 0, NULL,
     "R=dnslookup T=remote_smtp defer (111): Connection refused", .step = STEP_CONNECT,
     .cause = "connection-refused", .perm = P_TEMP, .conf = C_TEXT},
    {"exim/lookup-incomplete", D, 0, NULL, "R=all defer (-1): host lookup did not complete",
     .step = STEP_RESOLVE, .cause = "dns-failure", .conf = C_EXPLICIT},
    /* ---- qmail ---- */
    {"qmail/greeting", F, 0, NULL,
     "Connected to 192.0.2.1 but greeting failed. Remote host said: 554 mx.example.com No SMTP "
     "service here",
     .step = STEP_GREETING, .cause = "not-accepting-mail", .conf = C_EXPLICIT},
    {"qmail/name", F, 0, NULL, "Connected to 192.0.2.1 but my name was rejected.",
     .step = STEP_HELO, .cause = "helo-rejected", .conf = C_EXPLICIT},
    {"qmail/sender", F, 0, NULL,
     "Connected to 192.0.2.1 but sender was rejected. Remote host said: 553 sorry, your envelope "
     "sender is in my badmailfrom list (#5.7.1)",
     .step = STEP_MAIL_FROM, .cause = "sender-rejected", .conf = C_EXPLICIT},
    {"qmail/rcpt", F, 0, NULL,
     "192.0.2.1 does not like recipient. Remote host said: 550 5.1.1 <nobody@example.com>... User "
     "unknown Giving up on 192.0.2.1.",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"qmail/data", F, 0, NULL,
     "192.0.2.1 failed on DATA command. Remote host said: 554 5.5.1 No valid recipients",
     .step = STEP_DATA, .cause = "no-valid-recipients", .conf = C_EXPLICIT},
    {"qmail/eod", F, 0, NULL,
     "192.0.2.1 failed after I sent the message. Remote host said: 554 5.7.1 Message rejected: "
     "spam content",
     .step = STEP_END_OF_DATA, .cause = "content-spam", .conf = C_EXPLICIT},
    {"qmail/no-host", F, 0, NULL, "Sorry, I couldn't find any host named nosuch.example. (#5.1.2)",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"qmail/no-connection", D, 0, NULL,
     "Sorry, I wasn't able to establish an SMTP connection. (#4.4.1)", .step = STEP_CONNECT,
     .cause = "connection-timeout", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"qmail/queue-too-long", F, 0, NULL,
     "I'm not going to try again; this message has been in the queue too long.",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    /* ---- sendmail ---- */
    {"sendmail/rcpt", B, 0, "5.1.1",
     "... while talking to mx.example.com.: >>> RCPT To:<x@example.com> <<< 550 5.1.1 "
     "<x@example.com>... User unknown",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"sendmail/pipelined-rcpt", B, 0, NULL,
     ">>> MAIL From:<bounces@news.northwind.example> SIZE=4242 >>> RCPT To:<x@example.com> <<< 250 "
     "2.1.0 Sender ok <<< 550 5.1.1 <x@example.com>... User unknown",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .conf = C_EXPLICIT},
    {"sendmail/data", B, 0, NULL, ">>> DATA <<< 554 5.5.1 Error: no valid recipients",
     .step = STEP_DATA, .cause = "no-valid-recipients", .conf = C_EXPLICIT},
    {"sendmail/eod", B, 0, NULL,
     ">>> DATA <<< 354 End data with <CR><LF>.<CR><LF> <<< 554 5.7.1 Rejected: spam content",
     .step = STEP_END_OF_DATA, .cause = "content-spam", .conf = C_EXPLICIT},
    {"sendmail/mail-from", B, 0, NULL,
     ">>> MAIL From:<httpd@host1.mx.example.jp> SIZE=1234 <<< 553 5.1.8 "
     "<httpd@host1.mx.example.jp>... Domain of sender address httpd@host1.mx.example.jp does not "
     "exist",
     .step = STEP_MAIL_FROM, .cause = "sender-domain-invalid", .conf = C_EXPLICIT},
    {"sendmail/refused", D, 0, NULL, "Deferred: Connection refused by mx.example.com.",
     .step = STEP_CONNECT, .cause = "connection-refused", .perm = P_TEMP, .conf = C_EXPLICIT},
    {"sendmail/host-unknown", F, 0, NULL,
     "Host unknown (Name server: nosuch.example: host not found)", .step = STEP_RESOLVE,
     .cause = "domain-unknown", .perm = P_PERM, .conf = C_EXPLICIT},
    {"sendmail/host-unknown-authoritative", B, 0, NULL,
     "550 <ute@nosuch.example>... Host unknown (Authoritative answer from name server)",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .conf = C_EXPLICIT},
    {"sendmail/pipelining-rcpt-reply-after-data", B, 0, "5.1.1",
     "... while talking to mx.example.com.: >>> DATA <<< 550 5.1.1 <x@example.com>... User "
     "unknown 550 5.1.1 <x@example.com>... User unknown <<< 503 5.0.0 Need RCPT (recipient)",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .conf = C_EXPLICIT},
    {"sendmail/v5-rcpt-then-host-deferred", B, 550, NULL,
     ">>> RCPT To:<x@example.org> <<< 550 <x@example.org>, User Unknown 550 <x@example.org>... "
     "User unknown 421 example.org (smtp)... Deferred: Connection timed out during user open "
     "with example.org",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .conf = C_EXPLICIT},
    /* ---- other MTAs' fixed phrases ---- */
    {"dma/expired", B, 0, NULL, "Could not deliver for the last 345600 seconds. Giving up.",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    {"dma/dns-not-found", B, 0, NULL, "DNS lookup failure: host mx.nosuch.example not found",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .conf = C_EXPLICIT},
    {"dma/dns", D, 0, NULL, "DNS lookup failure: try again later", .step = STEP_RESOLVE,
     .cause = "dns-failure", .perm = P_TEMP},
    {"opensmtpd/expired", B, 0, NULL, "ute@example.org: Envelope expired",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    {"opensmtpd/no-mx", D, 0, "4.0.0", "ute@example.org: No MX found for domain",
     .step = STEP_RESOLVE, .cause = "domain-unknown", .perm = P_TEMP},
    {"yahoo/no-mx-record", B, 0, NULL,
     "<ute@example.org>: No mx record found for domain=example.org", .step = STEP_RESOLVE,
     .cause = "domain-unknown"},
    {"imail/userid", B, 0, NULL, "Invalid final delivery userid: ute@example.org",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"imail/attempts", B, 0, NULL, "Delivery failed 12 attempts: ute@example.org",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    {"domino/not-listed", B, 0, NULL,
     "User Ute Mayer (ute@example.org) not listed in Domino Directory", .step = STEP_RCPT_TO,
     .cause = "mailbox-unknown"},
    {"notes/not-listed", B, 0, NULL, "User not listed in public Name & Address Book",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"einsundeins/text-command", B, 550, "5.7.1",
     "SMTP error from remote server for TEXT command, host: mx.example.fr (192.0.2.65) reason: "
     "550 5.7.1 Message refused",
     .step = STEP_END_OF_DATA, .conf = C_EXPLICIT},
    {"exim/mailbox-full-expired", B, 0, NULL, "mailbox is full: retry timeout exceeded",
     .cause = "mailbox-full", .perm = P_PERM},
    {"exim/pipe", B, 0, "5.0.0",
     "------ pipe to |/usr/local/bin/autoresponder ute@example.org ------ Failed to read "
     "response template: No such file or directory",
     .cause = "remote-system-error"},
    {"exim/rdns-after-mail-from", B, 0, "5.7.1",
     "SMTP error from remote mail server after MAIL FROM:<news@example.com> SIZE=2048: 554 5.7.1 "
     "Reverse DNS failed.",
     .step = STEP_MAIL_FROM, .cause = "reverse-dns", .conf = C_EXPLICIT},
    {"exim/unverifiable-ip", D, 450, NULL,
     "SMTP error from remote mail server after MAIL FROM:<news@example.com> SIZE=2048: 450 service "
     "permits 3 unverifyable sending IPs - mail.example.com is not 192.0.2.7",
     .step = STEP_MAIL_FROM, .cause = "reverse-dns", .perm = P_TEMP},
    {"exim/isp-server", B, 550, "5.7.0",
     "SMTP error from remote mail server after MAIL FROM:<news@example.com> SIZE=2048: 550 5.7.0 "
     "<news@example.com>... Please use the smtp server of your ISP.",
     .step = STEP_MAIL_FROM, .cause = "reputation-block"},
    {"exim/from-domain-invalid", B, 550, "5.2.0",
     "SMTP error from remote mail server after end of data: 550 5.2.0 <news@example.com> From: "
     "Domain is invalid. Please provide a valid From:",
     .step = STEP_END_OF_DATA, .cause = "sender-domain-invalid"},
    {"x-unix/exit-status", B, 0, "5.0.0", "X-Unix; 75", .cause = "remote-system-error"},
    /* ---- providers' texts without a step phrase (DSN Diagnostic-Code) ---- */
    {"vendor/microsoft-5.1.10-not-null-mx", B, 550, "5.1.10",
     "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_TEXT},
    {"vendor/microsoft-5.4.1-access-denied", B, 550, "5.4.1",
     "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) "
     "[DM6NAM12FT034.eop-nam12.prod.protection.outlook.com 2024-11-24T08:01:02.123Z "
     "08DD0C1B2A3F4E5D]",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_TEXT},
    {"vendor/yahoo-554-30", B, 0, NULL,
     "554 30 Sorry, your message to xenia.kraus@yahoo.com cannot be delivered. This mailbox is "
     "disabled (554.30).",
     .step = STEP_RCPT_TO, .cause = "mailbox-disabled", .perm = P_PERM, .conf = C_TEXT},
    {"vendor/yahoo-tss", D, 421, "4.7.0",
     "421 4.7.0 [TSS04] Messages from 192.0.2.192 temporarily deferred due to unexpected volume or "
     "user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes",
     .cause = "reputation-block", .perm = P_TEMP},
    {"vendor/gmail-unsolicited", B, 550, "5.7.1",
     "550-5.7.1 Our system has detected that this message is likely unsolicited mail.",
     .step = STEP_END_OF_DATA, .cause = "content-spam", .conf = C_TEXT},
    {"vendor/gmail-nosuchuser", B, 550, "5.1.1",
     "The email account that you tried to reach does not exist. "
     "https://support.google.com/mail/?p=NoSuchUser",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"vendor/gmail-overquota", B, 552, "5.2.2",
     "552-5.2.2 The recipient's inbox is out of storage space and inactive. "
     "https://support.google.com/mail/?p=OverQuotaPerm",
     .cause = "mailbox-full", .perm = P_PERM},
    {"vendor/gmail-disabled", B, 550, "5.2.1",
     "550-5.2.1 The email account that you tried to reach is disabled. Learn more at 550 5.2.1 "
     "https://support.google.com/mail/?p=DisabledUser 000000000000eee.000 - gsmtp",
     .step = STEP_RCPT_TO, .cause = "mailbox-disabled"},
    {"vendor/gmail-4.7.28-rate", D, 421, "4.7.28",
     "421-4.7.28 [192.0.2.10] Our system has detected an unusual rate of unsolicited mail "
     "originating from your IP address.",
     .cause = "rate-limited", .perm = P_TEMP},
    {"vendor/yahoo-policy-5.7.9", B, 554, "5.7.9",
     "554 5.7.9 Message not accepted for policy reasons. See "
     "https://postmaster.verizonmedia.com/error-codes",
     .cause = "policy", .perm = P_PERM},
    {"vendor/gmx-ptr", D, 554, NULL,
     "554-mail.com (mxgmxus002) Nemesis ESMTP Service not available 554-No SMTP service 554-Bad "
     "DNS PTR resource record. 554 For explanation visit "
     "http://postmaster.gmx.com/en/error-messages",
     .cause = "reverse-dns"},
    {"vendor/gmail-address-not-found", B, 0, "5.0.0",
     "Your message wasn't delivered to ute@example.org because the address couldn't be found. "
     "Check for typos or unnecessary spaces and try again.",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"vendor/gmail-connect-refused", B, 0, NULL,
     "The recipient server did not accept our requests to connect. Learn more at "
     "https://support.google.com/mail/answer/7720 [mx.example.org 192.0.2.9: socket error]",
     .step = STEP_CONNECT, .cause = "connection-refused"},
    {"vendor/gmail-connect-timed-out", B, 0, "4.4.1",
     "The recipient server did not accept our requests to connect. Learn more at "
     "https://support.google.com/mail/answer/7720 [mx.example.org 192.0.2.9: timed out]",
     .step = STEP_CONNECT, .cause = "connection-timeout"},
    {"vendor/gmail-no-tls", B, 500, NULL,
     "The error that the other server returned was: 500 Remote server does not support TLS "
     "(state 6).",
     .step = STEP_TLS, .cause = "tls-not-offered"},
    {"vendor/google-groups", B, 0, NULL,
     "Hola, ute@example.org: el grupo que intentaste contactar (ventas) puede no existir. "
     "Visita el Centro de ayuda en https://groups.google.com/support/.",
     .cause = "sender-rejected"},
    {"vendor/google-groups-english", B, 0, NULL,
     "We're writing to let you know that the group you tried to contact (sales) may not exist, or "
     "you may not have permission to post messages to the group.",
     .cause = "sender-rejected"},
    {"vendor/microsoft-sc", B, 550, NULL,
     ">>> MAIL FROM:<news@example.com> <<< 550 SC-002 (BAY0-MC1-F21) Unfortunately, messages from "
     "192.0.2.4 weren't sent. Please contact your Internet service provider.",
     .step = STEP_MAIL_FROM, .cause = "reputation-block"},
    {"vendor/verizon-mms", B, 0, NULL, "Error: No valid recipients for this MM",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"vendor/godaddy-hedged", B, 0, NULL,
     "The mail server could not deliver mail to ute@example.org. The account or domain may not "
     "exist, they may be blacklisted, or missing the proper dns entries.",
     .cause = "undetermined"},
    /* ---- generic texts ---- */
    {"text/user-unknown-no-code", F, 0, NULL, "user unknown", .step = STEP_RCPT_TO,
     .cause = "mailbox-unknown", .perm = P_PERM, .conf = C_TEXT},
    {"text/no-such-user", B, 550, NULL, "550 kijitora@neko.example.org... No such user",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM},
    {"text/mailbox-unavailable", B, 550, "5.5.0",
     "550 Requested action not taken: mailbox unavailable (S2017062302)",
     .cause = "mailbox-unknown", .perm = P_PERM},
    {"text/quota", B, 552, "5.2.2",
     "552 5.2.2 <x@example.org> Quota exceeded (mailbox for user is full)", .step = STEP_RCPT_TO,
     .cause = "mailbox-full"},
    {"text/dnsbl", B, 550, "5.7.1", "550 5.7.1 IP address blacklisted by recipient",
     .cause = "reputation-block"},
    {"text/headers-too-large", B, 552, "5.6.0", "552 5.6.0 Headers too large (3 max)",
     .step = STEP_END_OF_DATA, .cause = "content-malformed"},
    {"text/message-too-large", B, 552, "5.3.4", "552 5.3.4 Message too large",
     .cause = "message-too-large"},
    {"text/recipient-preferences", B, 550, "5.1.1",
     "550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=192.0.2.135#rcp Refused "
     "due to recipient preferences",
     .step = STEP_RCPT_TO, .cause = "recipient-filter"},
    {"text/ptr", B, 550, "5.7.25",
     "550-5.7.25 [192.0.2.202] The IP address sending this message does not have a PTR record "
     "setup",
     .step = STEP_HELO, .cause = "reverse-dns", .conf = C_CODE},
    {"text/domain-does-not-exist", B, 0, NULL, "ute@nosuch.example: Domain does not exist",
     .step = STEP_RESOLVE, .cause = "domain-unknown"},
    {"text/domain-does-not-exist-rcpt", F, 0, NULL,
     "host mx.example.org[192.0.2.1] said: 550 Domain does not exist here (in reply to RCPT TO "
     "command)",
     .step = STEP_RCPT_TO, .cause = "domain-not-served"},
    {"text/unknown-host", B, 0, NULL, "ute@nosuch.example ... unknown host",
     .cause = "domain-unknown"},
    {"text/mailbox-exceeded", B, 0, NULL,
     "The number of messages in recipient's mailbox exceeded the local limit.",
     .cause = "mailbox-full"},
    {"text/mailbox-exceeds", B, 0, NULL, "User mailbox exceeds allowed size: ute@example.org",
     .cause = "mailbox-full"},
    {"text/not-listed-is-no-block-list", B, 550, NULL,
     "550 Recipient not listed in the directory of this domain", .cause = "undetermined"},
    {"text/orcpt-is-no-rfc-text", B, 451, "4.3.0",
     "In: RCPT TO:<ute@example.org> ORCPT=rfc822;ute@example.org Out: 250 2.1.5 Ok In: DATA Out: "
     "354 End data Out: 451 4.3.0 Error: queue file write error",
     .cause = "temporary-failure"},
    {"text/service-currently-unavailable", B, 554, NULL, "554 Service currently unavailable",
     .cause = "temporary-failure"},
    {"text/no-relaying", B, 550, "5.7.0",
     "550 5.7.0 <ute@example.org>: Recipient address rejected: No relaying.", .step = STEP_RCPT_TO,
     .cause = "relay-denied"},
    {"text/list-member", B, 0, NULL,
     "You are not a member of this mailing list <news@example.com>.", .cause = "sender-rejected"},
    {"text/purported-responsible-address", B, 550, "5.7.1",
     "550 5.7.1 can't determine Purported Responsible Address", .cause = "sender-rejected"},
    {"text/blacklisted-url", B, 550, NULL,
     "550-REJECTED - Blacklisted URL in message. (shop.example) in [black]. 550 See "
     "http://lookup.uribl.com.",
     .cause = "content-spam"},
    {"text/blocked-for-abuse", B, 550, NULL,
     "SMTP error from remote mail server after initial connection: 550 Error - Blocked for abuse.",
     .step = STEP_GREETING, .cause = "reputation-block"},
    {"text/esmtp-banner", B, 554, NULL, "554 mx.example.org ESMTP not accepting connections",
     .step = STEP_GREETING, .cause = "not-accepting-mail"},
    {"text/not-delivered-within", B, 0, NULL,
     "Your message was not delivered within 3 days and 0 hours. Remote host is not responding.",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    {"text/after-multiple-retries", B, 0, NULL,
     "<ute@example.org>: Unable to deliver message after multiple retries, giving up.",
     .cause = "retry-window-exceeded", .perm = P_PERM},
    /* ---- codes alone (rule 6 of the spec) ---- */
    {"code/x.1.1", B, 0, "5.1.1", NULL, .step = STEP_RCPT_TO, .cause = "mailbox-unknown",
     .perm = P_PERM, .conf = C_CODE},
    {"code/x.2.2-temporary", B, 0, "4.2.2", "", .step = STEP_RCPT_TO, .cause = "mailbox-full",
     .perm = P_TEMP, .conf = C_CODE},
    {"code/x.2.1", B, 550, "5.2.1", "", .step = STEP_RCPT_TO, .cause = "mailbox-disabled",
     .conf = C_CODE},
    {"code/x.7.26", B, 0, "5.7.26", "", .step = STEP_END_OF_DATA, .cause = "authentication-failed",
     .conf = C_CODE},
    {"code/x.7.23", B, 0, "5.7.23", "", .step = STEP_MAIL_FROM, .cause = "authentication-failed",
     .conf = C_CODE},
    {"code/x.1.8", B, 0, "5.1.8", "", .step = STEP_MAIL_FROM, .cause = "sender-domain-invalid",
     .conf = C_CODE},
    {"code/x.6.1", B, 0, "5.6.1", "", .step = STEP_END_OF_DATA, .cause = "content-malformed",
     .conf = C_CODE},
    {"code/x.7.25", B, 0, "5.7.25", "", .step = STEP_HELO, .cause = "reverse-dns", .conf = C_CODE},
    {"code/x.4.1", D, 0, "4.4.1", "", .step = STEP_CONNECT, .cause = "connection-timeout",
     .conf = C_CODE},
    {"code/x.4.3", D, 0, "4.4.3", "", .step = STEP_RESOLVE, .cause = "dns-failure", .conf = C_CODE},
    {"code/5.4.4", F, 0, "5.4.4", "", .step = STEP_RESOLVE, .cause = "domain-unknown",
     .conf = C_CODE},
    {"code/x.1.10-null-mx", F, 0, "5.1.10", "", .step = STEP_RESOLVE, .cause = "null-mx",
     .conf = C_CODE},
    {"code/x.1.10-said-by-server", B, 550, "5.1.10", "", .step = STEP_RCPT_TO,
     .cause = "mailbox-unknown", .conf = C_CODE},
    {"code/x.1.2-at-rcpt", F, 550, "5.1.2", "", .hint_step = STEP_RCPT_TO,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_RCPT_TO, .cause = "domain-not-served"},
    {"code/x.1.2-no-reply", F, 0, "5.1.2", "", .step = STEP_RESOLVE, .cause = "domain-unknown"},
    {"code/x.5.3", D, 452, "4.5.3", "", .step = STEP_RCPT_TO, .cause = "rate-limited",
     .perm = P_TEMP},
    {"code/551", F, 551, NULL, "", .step = STEP_RCPT_TO, .cause = "mailbox-moved", .conf = C_CODE},
    {"code/502", F, 502, NULL, "", .step = STEP_HELO, .cause = "protocol-error", .conf = C_CODE},
    {"code/554-at-greeting", F, 554, NULL, "", .hint_step = STEP_GREETING,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_GREETING, .cause = "rejected",
     .conf = C_EXPLICIT},
    {"code/421-at-greeting", D, 421, NULL, "", .hint_step = STEP_GREETING,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_GREETING, .cause = "busy"},
    {"code/from-text", B, 0, NULL, "550 5.1.1 <x@example.org>... Recipient unknown here",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown", .perm = P_PERM},
    {"code/450-at-rcpt", D, 450, NULL, "450 try again", .hint_step = STEP_RCPT_TO,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_RCPT_TO, .cause = "temporary-failure",
     .perm = P_TEMP},
    /* ---- sisimai placeholders X.0.9NN never drive a rule ---- */
    {"placeholder/alone", B, 0, "5.0.911", "", .unknown_step = TRUE, .cause = "undetermined"},
    {"placeholder/text-code-wins", B, 0, "5.0.911", "550 5.1.1 <x@y.example>... User Unknown",
     .step = STEP_RCPT_TO, .cause = "mailbox-unknown"},
    {"placeholder/in-text", B, 0, NULL, "Status: 5.0.910 (sisimai)", .unknown_step = TRUE,
     .cause = "undetermined"},
    /* ---- permanence ---- */
    {"perm/550-4.2.2-bounce", B, 550, "4.2.2", "550 4.2.2 The user's mailbox is full",
     .cause = "mailbox-full", .perm = P_TEMP, .flags = CLASSIFY_FLAG_CODE_MISMATCH},
    {"perm/550-4.2.2-failed", F, 550, "4.2.2", "550 4.2.2 The user's mailbox is full",
     .cause = "mailbox-full", .perm = P_PERM,
     .flags = CLASSIFY_FLAG_CODE_MISMATCH | CLASSIFY_FLAG_DECISION_DIFFERS},
    {"perm/5xx-greeting-deferred", D, 0, NULL,
     "host mx.example.net[198.51.100.9] refused to talk to me: 554 5.7.1 Access denied",
     .step = STEP_GREETING, .cause = "rejected", .perm = P_TEMP,
     .flags = CLASSIFY_FLAG_DECISION_DIFFERS},
    {"perm/text-hint", B, 0, NULL, "Temporary problem at the remote site, please try again later",
     .perm = P_TEMP},
    {"perm/bounce-no-code", B, 0, NULL, "delivery failed", .perm = P_PERM},
    /* ---- bounces after acceptance (foreign Reporting-MTA) ---- */
    {"async/rcpt", B, 550, "5.1.1",
     "550 5.1.1 <ute.mayer@gone.example>: Recipient address rejected: User unknown (in reply to "
     "RCPT TO command)",
     .foreign = TRUE, .step = STEP_ASYNC, .remote = STEP_RCPT_TO, .cause = "mailbox-unknown",
     .perm = P_PERM, .conf = C_EXPLICIT},
    {"async/over-quota", B, 552, "5.2.2", "552 5.2.2 Mailbox full", .foreign = TRUE,
     .step = STEP_ASYNC, .remote = STEP_RCPT_TO, .cause = "mailbox-full"},
    {"async/expired-downstream", B, 0, "4.4.7",
     "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
     .foreign = TRUE, .step = STEP_ASYNC, .cause = "expired-downstream", .perm = P_PERM},
    {"async/mailer-error", B, 0, "5.3.0", "x-unix; procmail: Lock failure on mailbox.lock",
     .foreign = TRUE, .step = STEP_ASYNC, .cause = "remote-system-error"},
    {"async/list", B, 0, "5.2.4", "", .foreign = TRUE, .step = STEP_ASYNC,
     .cause = "list-expansion-failure"},
    {"async/nothing", B, 0, NULL, "", .foreign = TRUE, .step = STEP_ASYNC, .unknown_step = TRUE,
     .cause = "undetermined"},
    {"async/forwarding-hint", B, 550, "5.1.1", "550 5.1.1 User unknown", .foreign = TRUE,
     .hint = "forwarding-failure", .step = STEP_ASYNC, .cause = "forwarding-failure"},
    {"async/delay-notice", EVENT_KIND_DELAY_NOTICE, 0, "4.4.1",
     "connect to mx.firewalled.example[203.0.113.17]:25: Connection timed out", .foreign = FALSE,
     .step = STEP_CONNECT, .cause = "delay-notice", .perm = P_TEMP},
    {"async/delay-notice-foreign", EVENT_KIND_DELAY_NOTICE, 0, "4.0.0", "", .foreign = TRUE,
     .step = STEP_ASYNC, .cause = "delay-notice", .perm = P_TEMP},
    /* ---- other kinds ---- */
    {"kind/expired-no-text", EVENT_KIND_EXPIRED, 0, NULL, NULL, .unknown_step = TRUE,
     .cause = "retry-window-exceeded", .perm = P_PERM},
    {"kind/expired-last-cause", EVENT_KIND_EXPIRED, 0, "4.4.1",
     "connect to mx.firewalled.example[203.0.113.17]:25: Connection timed out",
     .step = STEP_CONNECT, .cause = "connection-timeout", .perm = P_PERM},
    {"kind/complaint", EVENT_KIND_COMPLAINT, 0, NULL, NULL, .hint = "abuse", .cause = "abuse",
     .perm = P_NONE},
    {"kind/complaint-opt-out", EVENT_KIND_COMPLAINT, 0, NULL, NULL, .hint = "opt-out",
     .cause = "opt-out"},
    {"kind/complaint-unknown-type", EVENT_KIND_COMPLAINT, 0, NULL, NULL, .hint = "weird",
     .cause = "other"},
    {"kind/other-received", EVENT_KIND_OTHER_RECEIVED, 0, NULL, "Out of Office",
     .hint = "auto-reply", .cause = "auto-reply", .perm = P_NONE},
    {"kind/compile-hint", EVENT_KIND_COMPILE_FAILED, 0, NULL, "missing field first_name",
     .hint = "personalization-error", .step = STEP_COMPILE, .cause = "personalization-error",
     .perm = P_PERM, .conf = C_EXPLICIT},
    {"kind/compile-feed-text", EVENT_KIND_COMPILE_FAILED, 0, NULL,
     "product feed https://shop.northwind.example/feed.xml: HTTP 503", .step = STEP_COMPILE,
     .cause = "feed-error", .perm = P_TEMP},
    {"kind/compile-unknown", EVENT_KIND_COMPILE_FAILED, 0, NULL, "something odd",
     .step = STEP_COMPILE, .cause = "undetermined"},
    {"kind/suppressed", EVENT_KIND_SUPPRESSED, 0, NULL, NULL, .step = STEP_COMPILE,
     .cause = "suppressed", .perm = P_PERM},
    {"kind/rejected-milter", EVENT_KIND_REJECTED, 0, "5.7.1",
     "milter-reject: END-OF-MESSAGE from localhost[127.0.0.1]: 5.7.1 Virus found: Eicar-Test",
     .step = STEP_COMPILE, .cause = "content-virus-local"},
    {"kind/rejected-header", EVENT_KIND_REJECTED, 0, "5.7.1",
     "reject: header Subject: FREE MONEY from local; from=<news@northwind.example>: 5.7.1 not "
     "allowed",
     .step = STEP_COMPILE, .cause = "local-policy"},
    /* ---- hints and peers' labels ---- */
    {"hint/cause-wins", F, 550, "5.1.1", "550 5.1.1 user unknown", .hint = "mailbox-full",
     .cause = "mailbox-full"},
    {"hint/unknown-cause-ignored", F, 550, "5.1.1", "550 5.1.1 user unknown", .hint = "no-such",
     .cause = "mailbox-unknown"},
    {"hint/structured-step", F, 550, "5.7.1", "550 5.7.1 spam", .hint_step = STEP_RCPT_TO,
     .hint_conf = CONFIDENCE_EXPLICIT, .step = STEP_RCPT_TO, .cause = "reputation-block",
     .conf = C_EXPLICIT},
    {"vendor-label/powermta-bad-mailbox", F, 550, NULL, "550 sorry", .vendor = "bad-mailbox",
     .cause = "mailbox-unknown"},
    {"vendor-label/powermta-spam-over-x.7.1", F, 550, "5.7.1", "550 5.7.1 not delivered",
     .vendor = "spam-related", .cause = "reputation-block"},
    {"vendor-label/code-first", F, 550, "5.1.1", "550 5.1.1 sorry", .vendor = "quota-issues",
     .cause = "mailbox-unknown"},
    {"vendor-label/kumo-too-many-recipients", B, 550, NULL, "550 too many",
     .vendor = "TooManyRecipients", .cause = "rate-limited", .perm = P_TEMP},
};

static void
check_case(gconstpointer data)
{
    const Case *tc = data;
    g_test_set_nonfatal_assertions(); /* report every mismatch of the case */
    g_autoptr(Classifier) c = classifier_new();
    ClassifyInput in = {
        .kind = tc->kind,
        .step = tc->hint_step,
        .step_confidence = tc->hint_conf,
        .reply_code = tc->reply,
        .enhanced = tc->enhanced,
        .text = tc->text,
        .cause_hint = tc->hint,
        .vendor_label = tc->vendor,
        .foreign = tc->foreign,
    };
    Classification out;
    classifier_classify(c, &in, &out);
    g_test_message("got %s / %s / %s / %s conf=%d rule=%s flags=%u", step_to_string(out.step),
                   step_to_string(out.remote_step), out.cause, permanence_to_string(out.permanence),
                   out.confidence, out.rule, out.flags);
    g_assert_nonnull(out.cause);
    g_assert_nonnull(out.rule);
    if (tc->cause != NULL)
        g_assert_cmpstr(out.cause, ==, tc->cause);
    if (tc->step != STEP_UNKNOWN || (tc->unknown_step && !tc->foreign))
        g_assert_cmpstr(step_to_string(out.step), ==, step_to_string(tc->step));
    if (tc->foreign && (tc->remote != STEP_UNKNOWN || tc->unknown_step))
        g_assert_cmpstr(step_to_string(out.remote_step), ==, step_to_string(tc->remote));
    switch (tc->perm) {
    case P_TEMP:
        g_assert_cmpint(out.permanence, ==, PERMANENCE_TEMPORARY);
        break;
    case P_PERM:
        g_assert_cmpint(out.permanence, ==, PERMANENCE_PERMANENT);
        break;
    case P_NONE:
        g_assert_cmpint(out.permanence, ==, PERMANENCE_UNKNOWN);
        break;
    default:
        break;
    }
    if (tc->conf != C_ANY)
        g_assert_cmpint(out.confidence, ==, tc->conf - 1);
    g_assert_cmpuint(out.flags & tc->flags, ==, tc->flags);
    /* the memo gives the same answer */
    Classification again;
    classifier_classify(c, &in, &again);
    g_assert_cmpint(memcmp(&out, &again, sizeof out), ==, 0);
    g_assert_cmpuint(classifier_memo_size(c), ==, 1);
}

/* ---- memo and normalisation ---- */

static void
test_memo_normalised(void)
{
    g_autoptr(Classifier) c = classifier_new();
    const char *texts[] = {
        "host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.1.1 <anna@gmail.com>: The email "
        "account that you tried to reach does not exist. a1b2c3d4e5f6g7h8i9.123 - gsmtp (in reply "
        "to RCPT TO command)",
        "host alt1.gmail-smtp-in.l.google.com[142.250.27.27] said: 550-5.1.1 <bert@gmail.com>: The "
        "email account that you tried to reach does not exist. z9y8x7w6v5u4t3s2r1.456 - gsmtp (in "
        "reply to RCPT TO command)",
        "host   gmail-smtp-in.l.google.com[2a00:1450:400c:c0b::1b]   said: 550-5.1.1 "
        "<Carla.M@GMAIL.com>: The email  account that you tried to reach does not exist. "
        "q1w2e3r4t5y6u7i8o9.789 - gsmtp (in reply to RCPT TO command)",
    };
    Classification first = {0};
    for (gsize i = 0; i < G_N_ELEMENTS(texts); i++) {
        ClassifyInput in = {.kind = EVENT_KIND_FAILED, .enhanced = "5.1.1", .text = texts[i]};
        Classification out;
        classifier_classify(c, &in, &out);
        if (i == 0)
            first = out;
        g_assert_cmpstr(out.cause, ==, "mailbox-unknown");
        g_assert_cmpint(memcmp(&out, &first, sizeof out), ==, 0);
    }
    g_assert_cmpuint(classifier_memo_size(c), ==, 1);
    /* a different kind, code or hint is a different entry */
    ClassifyInput in = {.kind = EVENT_KIND_DEFERRED, .enhanced = "5.1.1", .text = texts[0]};
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpint(out.permanence, ==, PERMANENCE_TEMPORARY);
    g_assert_cmpuint(classifier_memo_size(c), ==, 2);
}

/* The i-th of distinct seven-letter words (no digits: they would be normalised away). */
static void
letters_word(guint i, char word[8])
{
    for (int k = 0; k < 7; k++) {
        word[k] = (char)('a' + i % 26);
        i /= 26;
    }
    word[7] = '\0';
}

/* Texts that differ only in the recipient's address are classified once (by their shape):
 * with the recipient given, every answer is the one the text gets on its own, for the table's
 * diagnostics and for addresses at the edges of what may stand for another. */
static void
check_same_with_recipient(Classifier *shared, const ClassifyInput *base, const char *rcpt)
{
    g_autoptr(Classifier) alone = classifier_new();
    Classification want, got;
    classifier_classify(alone, base, &want);
    ClassifyInput in = *base;
    in.recipient = rcpt;
    classifier_classify(shared, &in, &got);
    if (memcmp(&want, &got, sizeof want) != 0)
        g_error("recipient %s changed the answer for \"%s\": %s/%s, not %s/%s", rcpt, base->text,
                step_to_string((Step)got.step), got.cause, step_to_string((Step)want.step),
                want.cause);
}

static void
test_memo_by_shape(void)
{
    g_autoptr(Classifier) shared = classifier_new();
    static const char *const rcpts[] = {"anna@example.net", "bert.o+x@mail.example.org",
                                        "2anna@x.org", "a@b"};
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const Case *tc = &cases[i];
        ClassifyInput in = {.kind = tc->kind, .reply_code = tc->reply, .enhanced = tc->enhanced,
                            .text = tc->text, .foreign = tc->foreign, .cause_hint = tc->hint,
                            .vendor_label = tc->vendor, .step = tc->hint_step,
                            .step_confidence = tc->hint_conf};
        for (gsize k = 0; k < G_N_ELEMENTS(rcpts); k++)
            check_same_with_recipient(shared, &in, rcpts[k]);
        /* the addresses the text itself holds */
        if (tc->text == NULL)
            continue;
        g_auto(GStrv) words = g_strsplit_set(tc->text, " <>:;,()[]\"'", -1);
        for (guint w = 0; words[w]; w++)
            if (strchr(words[w], '@'))
                check_same_with_recipient(shared, &in, words[w]);
    }
    static const char *const edges[] = {
        "550 5.1.1 <Anna@Example.net>: Recipient address rejected: User unknown",
        "550 5.1.1 xanna@example.net: user unknown",
        "550 5.1.1 <anna@example.net.invalid>: Domain not found",
        "451 4.7.1 anna@example.net/greylisted, try again later",
        "553 5.1.2 anna@example.net@other.example: bad address syntax",
        "550 5.1.1 2anna@x.org... User unknown",
        "550 5.7.1 anna@example.net anna@example.net anna@example.net rejected as spam",
        "421 4.4.2 host[192.0.2.1] anna@example.net [192.0.2.7] connection dropped",
        "552 5.2.2 anna@example.net mailbox full, 552 5.2.2 over quota",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(edges); i++) {
        ClassifyInput in = {.kind = EVENT_KIND_FAILED, .text = edges[i]};
        for (gsize k = 0; k < G_N_ELEMENTS(rcpts); k++)
            check_same_with_recipient(shared, &in, rcpts[k]);
    }
    /* a long text, with the address near the end */
    g_autoptr(GString) longer = g_string_new("550 5.1.1 ");
    while (longer->len < 1010)
        g_string_append(longer, "word ");
    g_string_append(longer, "anna@example.net unknown");
    ClassifyInput in = {.kind = EVENT_KIND_FAILED, .text = longer->str};
    check_same_with_recipient(shared, &in, "anna@example.net");

    /* and the second recipient's text is answered by the first's shape: nothing new is kept */
    g_autoptr(Classifier) c = classifier_new();
    ClassifyInput one = {.kind = EVENT_KIND_DEFERRED,
                         .text = "SMTP error from remote mail server after RCPT TO:<anna@example."
                                 "net>: 450 4.2.0 <anna@example.net>: Recipient address rejected: "
                                 "Greylisted",
                         .recipient = "anna@example.net"};
    ClassifyInput two = {.kind = EVENT_KIND_DEFERRED,
                         .text = "SMTP error from remote mail server after RCPT TO:<bert.o@mail."
                                 "example.org>: 450 4.2.0 <bert.o@mail.example.org>: Recipient "
                                 "address rejected: Greylisted",
                         .recipient = "bert.o@mail.example.org"};
    Classification a, b;
    classifier_classify(c, &one, &a);
    guint kept = classifier_memo_size(c);
    classifier_classify(c, &two, &b);
    g_assert_cmpuint(classifier_memo_size(c), ==, kept);
    g_assert_cmpint(memcmp(&a, &b, sizeof a), ==, 0);
    g_assert_cmpstr(a.cause, ==, "greylisted");

    /* texts whose shapes do not repeat (each names another server): after a few thousand,
     * they are no longer kept by shape, only by their normalised text */
    g_autoptr(Classifier) d = classifier_new();
    char text[160];
    for (guint i = 0; i < 6000; i++) {
        if (i == 5000)
            kept = classifier_memo_size(d);
        char word[8];
        letters_word(i, word);
        g_snprintf(text, sizeof text, "host mx.%s.example said: 450 4.2.0 anna@example.net: "
                   "Recipient address rejected: Greylisted", word);
        ClassifyInput deferral = {.kind = EVENT_KIND_DEFERRED, .text = text,
                                  .recipient = "anna@example.net"};
        Classification out;
        classifier_classify(d, &deferral, &out);
        g_assert_cmpstr(out.cause, ==, "greylisted");
    }
    g_assert_cmpuint(classifier_memo_size(d), ==, kept + 1000);
}

static void
test_memo_bounded(void)
{
    g_autoptr(Classifier) c = classifier_new();
    /* distinct words (no digits: they would be normalised away) */
    char text[64];
    for (guint i = 0; i < 70000; i++) {
        char word[8];
        letters_word(i, word);
        g_snprintf(text, sizeof text, "550 5.1.1 %s user unknown", word);
        ClassifyInput in = {.kind = EVENT_KIND_FAILED, .text = text};
        Classification out;
        classifier_classify(c, &in, &out);
        g_assert_cmpstr(out.cause, ==, "mailbox-unknown");
    }
    g_assert_cmpuint(classifier_memo_size(c), <=, 65536);
    g_assert_cmpuint(classifier_memo_size(c), >, 0);
}

/* the rules see the normalised text: a user rule pins it down exactly */
static void
test_normalised_text(void)
{
    g_autoptr(Classifier) c = classifier_new();
    g_autofree char *path = g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "tests", "data",
                                             "classify", "normalised.rules", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(classifier_load_rules(c, path, &error));
    g_assert_no_error(error);
    ClassifyInput in = {
        .kind = EVENT_KIND_FAILED,
        .text = "Host MX1.Example.COM[192.0.2.1]  said:\n 550-5.1.1 <Ute.Mayer+x=y@Example.org>: "
                "Rejected 550-5.1.1 NOW; id 2024-11-24T08:01:02.123Z (in reply to RCPT TO command)",
    };
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpstr(out.rule, ==, "exact-normalised");
    g_assert_cmpstr(out.cause, ==, "policy");
}

/* ---- user rules ---- */

static void
test_user_rules(void)
{
    g_autoptr(Classifier) c = classifier_new();
    guint builtin = classifier_n_rules(c);
    g_autofree char *path = g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "tests", "data",
                                             "classify", "site.rules", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(classifier_load_rules(c, path, &error));
    g_assert_no_error(error);
    g_assert_cmpuint(classifier_n_rules(c), >, builtin);
    /* tried before the built-in "user unknown" */
    ClassifyInput in = {
        .kind = EVENT_KIND_FAILED,
        .text = "host mx.acme.example[192.0.2.9] said: 550 5.1.1 ACME-FILTER-7: user unknown (in "
                "reply to RCPT TO command)",
    };
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpstr(out.rule, ==, "acme-filter");
    g_assert_cmpstr(out.cause, ==, "recipient-filter");
    g_assert_cmpint(out.step, ==, STEP_RCPT_TO);
    /* a user rule can place the step too, and set the permanence of bounces */
    ClassifyInput in2 = {.kind = EVENT_KIND_BOUNCE, .text = "550 Acme says: mailbox parked"};
    classifier_classify(c, &in2, &out);
    g_assert_cmpstr(out.rule, ==, "acme-parked");
    g_assert_cmpint(out.step, ==, STEP_RCPT_TO);
    g_assert_cmpstr(out.cause, ==, "mailbox-disabled");
    g_assert_cmpint(out.permanence, ==, PERMANENCE_TEMPORARY);
}

/* the examples of docs/rules.md load and do what the page says */
static void
test_docs_examples(void)
{
    g_autoptr(Classifier) c = classifier_new();
    g_autofree char *path = g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "tests", "data",
                                             "classify", "docs-examples.rules", NULL);
    g_autoptr(GError) error = NULL;
    g_assert_true(classifier_load_rules(c, path, &error));
    g_assert_no_error(error);
    ClassifyInput in = {
        .kind = EVENT_KIND_BOUNCE,
        .text =
            "host smarthost.example[192.0.2.25] said: 554 RT-42 throttled, come back in an hour",
    };
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpstr(out.rule, ==, "relay-throttle");
    g_assert_cmpstr(out.cause, ==, "rate-limited");
    g_assert_cmpint(out.permanence, ==, PERMANENCE_TEMPORARY);
    ClassifyInput in2 = {
        .kind = EVENT_KIND_FAILED,
        .enhanced = "5.7.1",
        .vendor_label = "Example-Net",
        .text =
            "host mx.example.net[192.0.2.26] said: 550 5.7.1 Not delivered (in reply to RCPT TO "
            "command)",
    };
    classifier_classify(c, &in2, &out);
    g_assert_cmpstr(out.rule, ==, "example-71");
    g_assert_cmpstr(out.cause, ==, "reputation-block");
    /* the same text without the label is the built-in X.7.1 */
    in2.vendor_label = NULL;
    classifier_classify(c, &in2, &out);
    g_assert_cmpstr(out.cause, ==, "policy");
}

typedef struct {
    const char *file;
    const char *message; /* what the error must contain */
} BadFile;

static const BadFile bad_files[] = {
    {"bad-cause.rules", "bad-cause.rules:4: unknown cause \"mailbox-gone\""},
    {"bad-columns.rules", "bad-columns.rules:2: expected 7 tab-separated columns"},
    {"bad-regex.rules", "bad-regex.rules:3: bad regular expression"},
    {"bad-condition.rules", "bad-condition.rules:2: unknown condition \"colour\""},
    {"bad-code.rules", "bad-code.rules:2: bad enhanced code \"5.1\""},
    {"bad-step-condition.rules", "bad-step-condition.rules:2: a rule with a step= condition"},
    {"bad-duplicate.rules", "bad-duplicate.rules:3: rule id \"twice\" is used twice"},
    {"bad-nothing.rules", "bad-nothing.rules:2: the rule sets nothing"},
    {"no-such-file.rules", "no-such-file.rules: cannot read rules"},
};

static void
check_bad_file(gconstpointer data)
{
    const BadFile *bf = data;
    g_autoptr(Classifier) c = classifier_new();
    guint before = classifier_n_rules(c);
    g_autofree char *path = g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "tests", "data",
                                             "classify", bf->file, NULL);
    g_autoptr(GError) error = NULL;
    g_assert_false(classifier_load_rules(c, path, &error));
    g_assert_error(error, CLASSIFY_ERROR, CLASSIFY_ERROR_RULES);
    g_test_message("%s", error->message);
    g_assert_true(g_str_has_suffix(path, bf->file));
    g_assert_nonnull(strstr(error->message, bf->message));
    /* nothing was added and the classifier still works */
    g_assert_cmpuint(classifier_n_rules(c), ==, before);
    ClassifyInput in = {.kind = EVENT_KIND_FAILED, .text = "550 5.1.1 user unknown"};
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpstr(out.cause, ==, "mailbox-unknown");
}

/* a file that fails late, after many new literals and expressions, leaves nothing behind */
static void
test_bad_file_late(void)
{
    g_autoptr(Classifier) c = classifier_new();
    GString *text = g_string_new("# many good rules, then a bad one\n");
    for (int i = 0; i < 200; i++)
        g_string_append_printf(text, "r%d\t-\tpolicy\t-\t-\t-\tliteral-%d && re:expr%d\n", i, i, i);
    g_string_append(text, "bad\t-\tno-such-cause\t-\t-\t-\tx y\n");
    g_autofree char *dir = g_dir_make_tmp("classify-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "late.rules", NULL);
    g_assert_true(g_file_set_contents(path, text->str, (gssize)text->len, NULL));
    g_string_free(text, TRUE);
    g_autoptr(GError) error = NULL;
    g_assert_false(classifier_load_rules(c, path, &error));
    g_assert_nonnull(strstr(error->message, "late.rules:202: unknown cause"));
    ClassifyInput in = {.kind = EVENT_KIND_FAILED,
                        .text = "literal-7 expr7 550 5.1.1 user unknown"};
    Classification out;
    classifier_classify(c, &in, &out);
    g_assert_cmpstr(out.cause, ==, "mailbox-unknown");
    g_remove(path);
    g_rmdir(dir);
}

/* ---- the rule table against the taxonomy ---- */

static void
test_rules_fit_taxonomy(void)
{
    g_autoptr(Classifier) c = classifier_new();
    guint n = classifier_n_rules(c);
    g_assert_cmpuint(n, >, 300);
    for (guint i = 0; i < n; i++) {
        ClassifierRuleInfo info;
        g_assert_true(classifier_rule_info(c, i, &info));
        if (info.cause == NULL)
            continue;
        g_assert_nonnull(taxonomy_lookup(NULL, info.cause));
        if (strcmp(info.cause, "undetermined") == 0)
            continue;
        /* every step the rule can output the cause with */
        for (int s = 0; s < STEP_N; s++) {
            gboolean can = info.step != STEP_UNKNOWN ? s == (int)info.step
                                                     : ((info.step_condition >> s) & 1) != 0;
            if (!can)
                continue;
            const TaxonomyEntry *e = taxonomy_lookup(step_to_string((Step)s), info.cause);
            const char *group = s == STEP_QUIT ? "delivered" : step_to_string((Step)s);
            gboolean ok = e != NULL && strcmp(e->step, group) == 0;
            if (!ok && info.foreign != 0) { /* a foreign DSN's remote step, or async-bounce */
                e = taxonomy_lookup("async-bounce", info.cause);
                ok = e != NULL && strcmp(e->step, "async-bounce") == 0;
            }
            if (!ok)
                g_test_message("%s (%s): (%s, %s) is not in the taxonomy", info.id, info.source,
                               step_to_string((Step)s), info.cause);
            g_assert_true(ok);
        }
    }
}

/* ---- taxonomy and code tables ---- */

static void
test_taxonomy_builtin(void)
{
    const TaxonomyEntry *e = taxonomy_lookup("rcpt-to", "mailbox-unknown");
    g_assert_nonnull(e);
    g_assert_cmpstr(e->action, ==, "suppress");
    g_assert_cmpstr(e->owner, ==, "recipient-address");
    g_assert_cmpstr(e->permanence, ==, "permanent");
    g_assert_cmpuint(strlen(e->definition), >, 10);
    e = taxonomy_lookup("rcpt-to", "mailbox-full");
    g_assert_cmpstr(e->action, ==, "suppress-after-repeats");
    g_assert_cmpstr(e->permanence, ==, "temporary");
    e = taxonomy_lookup("greeting", "reputation-block");
    g_assert_cmpstr(e->action, ==, "keep");
    /* the classifier's steps: quit is the delivered group */
    e = taxonomy_lookup("quit", "quit-failure");
    g_assert_cmpstr(e->step, ==, "delivered");
    /* fallbacks: a cause outside its usual step, unknown step, undetermined anywhere */
    e = taxonomy_lookup("data", "mailbox-full");
    g_assert_cmpstr(e->cause, ==, "mailbox-full");
    e = taxonomy_lookup(NULL, "greylisted");
    g_assert_cmpstr(e->step, ==, "rcpt-to");
    e = taxonomy_lookup("rcpt-to", "undetermined");
    g_assert_cmpstr(e->step, ==, "unknown");
    e = taxonomy_lookup("pending", "delay-notice");
    g_assert_cmpstr(e->action, ==, "keep");
    g_assert_null(taxonomy_lookup("rcpt-to", "no-such-cause"));
    g_assert_null(taxonomy_lookup("rcpt-to", NULL));
    /* rows added to the spec with evidence */
    g_assert_nonnull(taxonomy_lookup("end-of-data", "mailbox-disabled"));
    g_assert_cmpstr(taxonomy_lookup("rcpt-to", "helo-rejected")->step, ==, "rcpt-to");
    g_assert_cmpstr(taxonomy_lookup("complaint", "opt-out")->action, ==, "suppress");
}

/* every row of the spec's taxonomy.tsv is in the compiled-in table with the same attributes */
static void
test_taxonomy_spec(void)
{
    g_autofree char *path = g_build_filename(g_getenv("MAILTRAIL_SOURCE_ROOT"), "..", "shared",
                                             "spec", "taxonomy.tsv", NULL);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        g_test_skip("../shared/spec/taxonomy.tsv is not there (a fresh clone): skipped");
        return;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint rows = 0;
    for (guint i = 1; lines[i] != NULL; i++) {
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", -1);
        if (g_strv_length(f) < 7)
            continue;
        const TaxonomyEntry *e = taxonomy_lookup(f[0], f[1]);
        if (e == NULL || strcmp(e->step, f[0]) != 0)
            g_test_message("missing: %s / %s", f[0], f[1]);
        g_assert_nonnull(e);
        g_assert_cmpstr(e->step, ==, f[0]);
        g_assert_cmpstr(e->cause, ==, f[1]);
        g_assert_cmpstr(e->permanence, ==, f[4]);
        g_assert_cmpstr(e->owner, ==, f[5]);
        g_assert_cmpstr(e->action, ==, g_strchomp(f[6]));
        g_assert_cmpuint(strlen(e->definition), >, 10);
        rows++;
    }
    g_assert_cmpuint(rows, >=, 120);
}

static void
test_code_titles(void)
{
    g_assert_cmpstr(enhanced_code_title("5.1.1"), ==, "Bad destination mailbox address");
    g_assert_cmpstr(enhanced_code_title("4.1.1"), ==, "Bad destination mailbox address");
    g_assert_cmpstr(enhanced_code_title("5.1.10"), ==, "Recipient address has null MX");
    g_assert_cmpstr(enhanced_code_title("4.7.28"), ==, "Mail flood detected");
    g_assert_cmpstr(enhanced_code_title("2.0.0"), ==, "Other undefined Status");
    g_assert_null(enhanced_code_title("5.0.911"));
    g_assert_null(enhanced_code_title("6.1.1"));
    g_assert_null(enhanced_code_title("5.1"));
    g_assert_null(enhanced_code_title("5.1.1x"));
    g_assert_null(enhanced_code_title("5.1.1000"));
    g_assert_null(enhanced_code_title(""));
    g_assert_null(enhanced_code_title(NULL));
    g_assert_nonnull(reply_code_title(550));
    g_assert_nonnull(reply_code_title(421));
    g_assert_nonnull(reply_code_title(354));
    g_assert_nonnull(reply_code_title(556));
    g_assert_null(reply_code_title(0));
    g_assert_null(reply_code_title(599));
    g_assert_null(reply_code_title(99999));
}

/* ---- statistics ---- */

static void
count_hits(const char *rule, guint64 hits, gpointer user_data)
{
    GHashTable *h = user_data;
    if (hits > 0)
        g_hash_table_insert(h, (gpointer)rule, GSIZE_TO_POINTER((gsize)hits));
}

static void
test_stats(void)
{
    g_autoptr(Classifier) c = classifier_new();
    ClassifyInput in = {.kind = EVENT_KIND_FAILED, .text = "550 5.1.1 user unknown"};
    Classification out;
    for (int i = 0; i < 5; i++)
        classifier_classify(c, &in, &out);
    ClassifyInput in2 = {.kind = EVENT_KIND_COMPLAINT, .cause_hint = "abuse"};
    classifier_classify(c, &in2, &out);
    g_autoptr(GHashTable) h = g_hash_table_new(g_str_hash, g_str_equal);
    classifier_foreach_rule(c, count_hits, h);
    g_assert_cmpuint(g_hash_table_size(h), ==, 2);
    g_assert_cmpuint(GPOINTER_TO_SIZE(g_hash_table_lookup(h, "txt-user-unknown")), ==, 5);
    g_assert_cmpuint(GPOINTER_TO_SIZE(g_hash_table_lookup(h, "kind-complaint")), ==, 1);
}

/* ---- hostile input ---- */

static void
test_hostile(void)
{
    g_autoptr(Classifier) c = classifier_new();
    g_autoptr(GRand) rand = g_rand_new_with_seed(20261128);
    static const char alphabet[] = "ab @.[]:<>()-5501.2.3 4\t\n\"'x;,#!>>><<<\xc3\xa9\xff";
    for (int round = 0; round < 3000; round++) {
        gsize len = (gsize)g_rand_int_range(rand, 0, round % 100 == 0 ? 40000 : 300);
        char *text = g_malloc(len + 1);
        for (gsize i = 0; i < len; i++)
            text[i] = alphabet[g_rand_int_range(rand, 0, (gint32)sizeof alphabet - 1)];
        text[len] = '\0';
        char enh[8] = {0};
        for (int i = 0; i < 7; i++)
            enh[i] = "5.0.9x1"[g_rand_int_range(rand, 0, 7)];
        ClassifyInput in = {
            .kind = (EventKind)g_rand_int_range(rand, 0, EVENT_KIND_N + 2),
            .step = (Step)g_rand_int_range(rand, 0, STEP_N + 2),
            .step_confidence = (Confidence)g_rand_int_range(rand, 0, 5),
            .reply_code = (guint16)g_rand_int_range(rand, 0, 70000),
            .enhanced = round % 3 == 0 ? enh : NULL,
            .text = round % 7 == 0 ? NULL : text,
            .cause_hint = round % 5 == 0    ? "mailbox-full"
                          : round % 11 == 0 ? text
                                            : NULL,
            .vendor_label = round % 13 == 0 ? text : NULL,
            .foreign = round % 2,
        };
        Classification out;
        classifier_classify(c, &in, &out);
        g_assert_nonnull(out.cause);
        g_assert_nonnull(out.rule);
        g_assert_cmpint(out.step, <, STEP_N);
        g_free(text);
    }
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/classify/case/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], check_case);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad_files); i++) {
        g_autofree char *path = g_strdup_printf("/classify/bad-rules/%s", bad_files[i].file);
        g_test_add_data_func(path, &bad_files[i], check_bad_file);
    }
    g_test_add_func("/classify/memo/normalised", test_memo_normalised);
    g_test_add_func("/classify/memo/bounded", test_memo_bounded);
    g_test_add_func("/classify/memo/by-shape", test_memo_by_shape);
    g_test_add_func("/classify/rules/normalised-text", test_normalised_text);
    g_test_add_func("/classify/rules/user", test_user_rules);
    g_test_add_func("/classify/rules/docs-examples", test_docs_examples);
    g_test_add_func("/classify/bad-rules/late", test_bad_file_late);
    g_test_add_func("/classify/rules/fit-taxonomy", test_rules_fit_taxonomy);
    g_test_add_func("/classify/taxonomy/builtin", test_taxonomy_builtin);
    g_test_add_func("/classify/taxonomy/spec", test_taxonomy_spec);
    g_test_add_func("/classify/codes/titles", test_code_titles);
    g_test_add_func("/classify/stats", test_stats);
    g_test_add_func("/classify/hostile", test_hostile);
    return g_test_run();
}
