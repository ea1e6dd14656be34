/* Bounce decoders for mailbox providers and hosted senders: Exchange and Office 365, Gmail and
 * Google Groups, Yahoo, Amazon SES (SNS JSON notifications), Zoho, Mail.Ru, the Japanese mobile
 * carriers (au/KDDI, EZweb), Verizon, and a few security gateways (Mimecast). */
#include <json-glib/json-glib.h>
#include <string.h>

#include "bounce.h"

/* ---- Exchange 2003 / 2007 / 2010+, Office 365, Outlook.com ---- */

gboolean
bounce_decode_exchange(BounceMessage *m)
{
    static const char *const admin[] = {"Diagnostic information for administrators:", NULL};
    static const char *const list2003[] = {"did not reach the following recipient(s):", NULL};
    static const char *const list2007[] = {
        "Delivery has failed to these recipients or groups:", "Your message couldn't be delivered",
        "Your message wasn't delivered",
        "Delivery is delayed to these recipients or groups:", NULL};
    const char *a = bounce_after(m, NULL, admin);
    const char *l3 = a ? NULL : bounce_after(m, NULL, list2003);
    const char *l7 = (a || l3) ? NULL : bounce_after(m, NULL, list2007);
    if (a == NULL && l3 == NULL && l7 == NULL)
        return FALSE;
    const char *s = a ? a : l3 ? l3 : l7;
    static const char *const ends[] = {"Original message headers:", "Original Message Headers",
                                       NULL};
    const char *end = bounce_cut_returned(m, s);
    const char *oh = bounce_after(m, s, ends);
    if (oh && oh < end) {
        bounce_set_returned(m, oh, BOUNCE_TEXT_END(m));
        end = oh;
    }
    bounce_scan_lines(m, s, end);
    /* "Remote Server returned '550 5.1.1 ...'" belongs to the address before it */
    if (bounce_text_find(m, "is delayed to these recipients") ||
        bounce_subject_has(m, "Delivery Delayed") || bounce_subject_has(m, "Delayed:"))
        bounce_set_action(m, "delayed");
    return bounce_finish(m);
}

/* ---- Gmail (text notices without a DSN part) ---- */

/* "** Address not found **" ... "The response was:" (the recipients in X-Failed-Recipients) */
static gboolean
gmail_new_style(BounceMessage *m)
{
    static const char *const heads[] = {"** Address not found **", "** Message not delivered **",
                                        "** Message blocked **",   "** Delivery incomplete **",
                                        "** Message rejected **",  NULL};
    const char *h = bounce_after(m, NULL, heads);
    if (h == NULL)
        return FALSE;
    const char *end = BOUNCE_TEXT_END(m);
    static const char *const resp[] = {
        "The response from the remote server was:", "The response was:", NULL};
    const char *r = bounce_after(m, h, resp);
    if (r) {
        /* the reply: up to the end of the next paragraph */
        while (r < end && bounce_line_blank(r, bounce_line_end(r, end)))
            r = bounce_next_line(r, end);
        const char *re = r;
        while (re < end && !bounce_line_blank(re, bounce_line_end(re, end)))
            re = bounce_next_line(re, end);
        end = re;
    }
    if (bounce_add_list(m, mime_headers_value(m->arena, &m->top, "X-Failed-Recipients")) == 0)
        bounce_scan_lines(m, h, r ? r : end);
    if (r)
        bounce_set_all_diagnostics(m, r, end);
    if (bounce_text_find(m, "** Delivery incomplete **"))
        bounce_set_action(m, "delayed");
    return bounce_finish(m);
}

gboolean
bounce_decode_gmail(BounceMessage *m)
{
    if (!bounce_from_has(m, "mailer-daemon@google") && !bounce_from_has(m, "@googlemail.com"))
        return FALSE;
    static const char *const starts[] = {"Delivery to the following recipient failed permanently:",
                                         "Delivery to the following recipients failed permanently:",
                                         "Delivery to the following recipient has been delayed:",
                                         "Delivery to the following recipients has been delayed:",
                                         "Delivery to the following recipient failed",
                                         "Delivery to these recipients or groups",
                                         NULL};
    const char *s = bounce_after(m, NULL, starts);
    if (s == NULL)
        return gmail_new_style(m);
    const char *end = bounce_cut_returned(m, s);
    /* the addresses, then "Technical details of ... failure:" */
    static const char *const tech[] = {
        "Technical details of permanent failure:", "Technical details of temporary failure:",
        "The error that the other server returned was:", NULL};
    const char *t = bounce_after(m, s, tech);
    const char *list_end = t && t < end ? t : end;
    for (const char *p = s; p < list_end; p = bounce_next_line(p, list_end)) {
        const char *le = bounce_line_end(p, list_end);
        const char *as;
        gsize al;
        if (!bounce_line_blank(p, le) && bounce_find_address(p, (gsize)(le - p), &as, &al))
            bounce_add(m, as, al);
    }
    if (t && t < end) {
        const char *te = end;
        bounce_set_all_diagnostics(m, t, te);
    }
    if (bounce_text_find(m, "has been delayed") || bounce_subject_has(m, "(Delay)"))
        bounce_set_action(m, "delayed");
    return bounce_finish(m);
}

/* ---- Google Groups: the group refused the post ---- */

gboolean
bounce_decode_googlegroups(BounceMessage *m)
{
    if (m->has_dsn || !bounce_from_has(m, "mailer-daemon@googlemail.com") ||
        !bounce_subject_has(m, "Delivery Status Notification") ||
        mime_headers_get(&m->top, "X-Failed-Recipients") == NULL ||
        mime_headers_get(&m->top, "X-Google-Smtp-Source") == NULL)
        return FALSE;
    const char *end = bounce_cut_returned(m, NULL);
    bounce_add_list(m, mime_headers_value(m->arena, &m->top, "X-Failed-Recipients"));
    bounce_set_all_diagnostics(m, m->text, end);
    return bounce_finish(m);
}

/* ---- Yahoo ---- */

gboolean
bounce_decode_yahoo(BounceMessage *m)
{
    static const char *const starts[] = {"Sorry, we were unable to deliver your message", NULL};
    const char *s = bounce_after(m, NULL, starts);
    if (s == NULL)
        return FALSE;
    const char *end = bounce_cut_returned(m, s);
    bounce_scan_lines(m, s, end);
    return bounce_finish(m);
}

/* ---- Amazon SES: SNS notifications (JSON) ---- */

static const char *
json_str(JsonObject *o, const char *name)
{
    if (o == NULL || !json_object_has_member(o, name))
        return NULL;
    JsonNode *n = json_object_get_member(o, name);
    if (n == NULL || JSON_NODE_TYPE(n) != JSON_NODE_VALUE ||
        json_node_get_value_type(n) != G_TYPE_STRING)
        return NULL;
    return json_node_get_string(n);
}

static JsonObject *
json_obj(JsonObject *o, const char *name)
{
    if (o == NULL || !json_object_has_member(o, name))
        return NULL;
    JsonNode *n = json_object_get_member(o, name);
    return n && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *
json_arr(JsonObject *o, const char *name)
{
    if (o == NULL || !json_object_has_member(o, name))
        return NULL;
    JsonNode *n = json_object_get_member(o, name);
    return n && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static const char *
arena_str(BounceMessage *m, const char *s)
{
    return s ? mime_arena_strndup(m->arena, s, strlen(s)) : NULL;
}

gboolean
bounce_decode_amazonses(BounceMessage *m)
{
    const char *nt = bounce_text_find(m, "notificationType");
    if (nt == NULL)
        return FALSE;
    /* the outer object (an SNS envelope holds the notification as a string) */
    const char *open = memchr(m->text, '{', (gsize)(nt - m->text));
    if (open == NULL)
        return FALSE;
    const char *end = BOUNCE_TEXT_END(m);
    const char *sig = bounce_text_find_in(m, open, (gsize)(end - open), "\n--\n");
    if (sig)
        end = sig;
    /* SNS wraps long lines with "!\n " */
    gsize n = (gsize)(end - open);
    char *js = mime_arena_alloc(m->arena, n + 1);
    gsize o = 0;
    for (gsize i = 0; i < n; i++) {
        if (open[i] == '!' && i + 2 < n && open[i + 1] == '\n' && open[i + 2] == ' ') {
            i += 2;
            continue;
        }
        if (open[i] == '\n')
            continue;
        js[o++] = open[i];
    }
    js[o] = '\0';
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, js, (gssize)o, NULL))
        return FALSE;
    JsonNode *root = json_parser_get_root(parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return FALSE;
    JsonObject *top = json_node_get_object(root);
    /* SNS envelope: the notification is a string in "Message" */
    const char *inner = json_str(top, "Message");
    g_autoptr(JsonParser) p2 = NULL;
    if (inner && json_str(top, "notificationType") == NULL) {
        p2 = json_parser_new();
        if (json_parser_load_from_data(p2, inner, -1, NULL) && json_parser_get_root(p2) &&
            JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p2)))
            top = json_node_get_object(json_parser_get_root(p2));
    }
    const char *type = json_str(top, "notificationType");
    if (type == NULL)
        type = json_str(top, "eventType");
    if (type == NULL)
        return FALSE;
    JsonObject *mail = json_obj(top, "mail");
    JsonObject *common = json_obj(mail, "commonHeaders");
    const char *mid = json_str(common, "messageId");
    if (mid)
        m->orig_message_id = arena_str(m, mid);
    const char *src = json_str(mail, "source");
    if (src)
        m->orig_sender = bounce_address_copy(m->arena, src, strlen(src));
    if (g_ascii_strcasecmp(type, "Bounce") == 0) {
        JsonObject *b = json_obj(top, "bounce");
        const char *bt = json_str(b, "bounceType"), *bs = json_str(b, "bounceSubType");
        if (bt)
            m->vendor_label = bs ? mime_arena_strndup(m->arena, "", 0) : arena_str(m, bt);
        if (bt && bs) {
            g_autofree char *v = g_strconcat(bt, "/", bs, NULL);
            m->vendor_label = arena_str(m, v);
        }
        const char *rm = json_str(b, "reportingMTA");
        if (rm) {
            const char *semi = strchr(rm, ';');
            rm = semi ? semi + 1 : rm;
            while (*rm == ' ')
                rm++;
            m->reporting_mta = arena_str(m, rm);
        }
        JsonArray *rs = json_arr(b, "bouncedRecipients");
        for (guint i = 0; rs && i < json_array_get_length(rs); i++) {
            JsonNode *e = json_array_get_element(rs, i);
            if (!JSON_NODE_HOLDS_OBJECT(e))
                continue;
            JsonObject *r = json_node_get_object(e);
            const char *addr = json_str(r, "emailAddress");
            if (addr == NULL)
                continue;
            BounceRecipient *br = bounce_add(m, addr, strlen(addr));
            if (br == NULL)
                break;
            const char *act = json_str(r, "action"), *st = json_str(r, "status");
            const char *dc = json_str(r, "diagnosticCode");
            br->action = act ? arena_str(m, act) : "failed";
            char code[16];
            if (st && bounce_find_status(st, strlen(st), code))
                br->status = arena_str(m, code);
            if (dc) {
                const char *t = dc;
                if (g_ascii_strncasecmp(t, "smtp;", 5) == 0)
                    t += 5;
                while (*t == ' ')
                    t++;
                bounce_set_diagnostic(m, br, t, strlen(t));
            }
        }
        return TRUE;
    }
    if (g_ascii_strcasecmp(type, "Complaint") == 0) {
        JsonObject *c = json_obj(top, "complaint");
        const char *ft = json_str(c, "complaintFeedbackType");
        m->complaint_type = ft ? arena_str(m, ft) : "abuse";
        JsonArray *rs = json_arr(c, "complainedRecipients");
        for (guint i = 0; rs && i < json_array_get_length(rs); i++) {
            JsonNode *e = json_array_get_element(rs, i);
            const char *addr = JSON_NODE_HOLDS_OBJECT(e)
                                   ? json_str(json_node_get_object(e), "emailAddress")
                                   : NULL;
            if (addr)
                bounce_add(m, addr, strlen(addr));
        }
        return TRUE;
    }
    if (g_ascii_strcasecmp(type, "Delivery") == 0) {
        JsonObject *d = json_obj(top, "delivery");
        const char *resp = json_str(d, "smtpResponse");
        const char *rm = json_str(d, "reportingMTA");
        if (rm)
            m->reporting_mta = arena_str(m, rm);
        JsonArray *rs = json_arr(d, "recipients");
        for (guint i = 0; rs && i < json_array_get_length(rs); i++) {
            JsonNode *e = json_array_get_element(rs, i);
            if (JSON_NODE_TYPE(e) != JSON_NODE_VALUE ||
                json_node_get_value_type(e) != G_TYPE_STRING)
                continue;
            const char *addr = json_node_get_string(e);
            BounceRecipient *br = bounce_add(m, addr, strlen(addr));
            if (br == NULL)
                break;
            br->action = "delivered";
            if (resp)
                bounce_set_diagnostic(m, br, resp, strlen(resp));
        }
        return TRUE;
    }
    return FALSE;
}

/* ---- Mimecast: "The problem appears to be :" / "Additional information follows :" ---- */

/* The paragraph after the line that holds marker ("-- " list marks dropped), or NULL. */
static const char *
mimecast_paragraph(BounceMessage *m, const char *marker, const char *end, gsize *len)
{
    const char *const markers[] = {marker, NULL};
    const char *p = bounce_after(m, NULL, markers);
    if (p == NULL || p >= end)
        return NULL;
    while (p < end && bounce_line_blank(p, bounce_line_end(p, end)))
        p = bounce_next_line(p, end);
    const char *pe = p;
    while (pe < end && !bounce_line_blank(pe, bounce_line_end(pe, end)))
        pe = bounce_next_line(pe, end);
    while (p < pe && (*p == '-' || *p == ' '))
        p++;
    *len = (gsize)(pe - p);
    return pe > p ? p : NULL;
}

gboolean
bounce_decode_mimecast(BounceMessage *m)
{
    const char *problem = bounce_text_find(m, "The problem appears to be");
    if (problem == NULL || bounce_text_find(m, "could not be delivered") == NULL)
        return FALSE;
    const char *end = bounce_cut_returned(m, NULL);
    const char *list_end = problem;
    while (list_end > m->text && list_end[-1] != '\n')
        list_end--;
    /* "-- address" lines before the problem; the sentence before them may share the line */
    bounce_scan_lines(m, m->text, list_end);
    gsize plen = 0, alen = 0;
    const char *p = mimecast_paragraph(m, "The problem appears to be", end, &plen);
    const char *a = mimecast_paragraph(m, "Additional information follows", end, &alen);
    for (guint i = 0; i < m->n_rcpt; i++) {
        BounceRecipient *r = &m->rcpt[i];
        r->diagnostic = NULL;
        if (p)
            bounce_set_diagnostic(m, r, p, plen);
        /* the receiving server's own reply, when Mimecast quotes it */
        if (a)
            bounce_append_diagnostic(m, r, a, alen);
    }
    return bounce_finish(m);
}

/* ---- Zoho ---- */

gboolean
bounce_decode_zoho(BounceMessage *m)
{
    if (mime_headers_get(&m->top, "X-ZohoMail") == NULL && !bounce_from_has(m, "zoho.com"))
        return FALSE;
    static const char *const starts[] = {"This message was created automatically by mail "
                                         "delivery",
                                         NULL};
    const char *s = bounce_after(m, NULL, starts);
    if (s == NULL)
        return FALSE;
    const char *end = bounce_cut_returned(m, s);
    const char *rc = bounce_text_find_in(m, s, (gsize)(end - s), "\nReceived:");
    if (rc && rc < end) {
        bounce_set_returned(m, rc + 1, BOUNCE_TEXT_END(m));
        end = rc;
    }
    bounce_scan_lines(m, s, end);
    /* "ERROR_CODE :550, ERROR_CODE :Requested action not taken" */
    for (guint i = 0; i < m->n_rcpt; i++) {
        BounceRecipient *r = &m->rcpt[i];
        const char *d = r->diagnostic;
        const char *ec = d ? strstr(d, "ERROR_CODE :") : NULL;
        if (ec && r->reply_code == 0 && g_ascii_isdigit(ec[12]) && g_ascii_isdigit(ec[13]) &&
            g_ascii_isdigit(ec[14]))
            r->reply_code = (guint16)((ec[12] - '0') * 100 + (ec[13] - '0') * 10 + (ec[14] - '0'));
    }
    return bounce_finish(m);
}

/* ---- Mail.Ru (Exim underneath, Russian text first) ---- */

gboolean
bounce_decode_mailru(BounceMessage *m)
{
    if (!bounce_from_has(m, "mail.ru") && !bounce_from_has(m, "mail.example.ru"))
        return FALSE;
    return bounce_decode_exim(m);
}

/* ---- au (KDDI) and EZweb ---- */

gboolean
bounce_decode_kddi(BounceMessage *m)
{
    static const char *const starts[] = {"Could not be delivered to:",
                                         "Each of the following recipients was rejected",
                                         "was not delivered within",
                                         "The user(s) account",
                                         "The user(s) ",
                                         NULL};
    if (!bounce_received_has(m, "ezweb.ne.jp") && !bounce_received_has(m, ".au.com") &&
        !bounce_from_has(m, "ezweb.ne.jp") && !bounce_from_has(m, "dion.ne.jp") &&
        !bounce_from_has(m, "au.com"))
        return FALSE;
    if (bounce_after(m, NULL, starts) == NULL)
        return FALSE;
    const char *end = bounce_cut_returned(m, NULL);
    static const char *const rule[] = {"---------------------------------------------------", NULL};
    const char *r = bounce_after(m, NULL, rule);
    if (r && r < end) {
        bounce_set_returned(m, r, BOUNCE_TEXT_END(m));
        end = r;
    }
    bounce_scan_lines(m, m->text, end);
    bounce_set_all_diagnostics(m, m->text, end);
    return bounce_finish(m);
}

/* ---- Verizon (vtext / vzwpix) and Apache James ---- */

gboolean
bounce_decode_verizon(BounceMessage *m)
{
    gboolean james = bounce_text_find(m, "Error message below:") != NULL &&
                     bounce_text_find(m, "Message details:") != NULL;
    if (!james && !bounce_from_has(m, "vzwpix.com") && !bounce_from_has(m, "vtext.com") &&
        !bounce_received_has(m, "vtext.com"))
        return FALSE;
    const char *end = BOUNCE_TEXT_END(m);
    const char *e = bounce_text_find(m, "Error:");
    if (e == NULL)
        return FALSE;
    /* the recipient: "RCPT TO:" of the message details, else "To:" of the original */
    const char *t = bounce_text_find(m, "RCPT TO:");
    if (t == NULL) {
        const char *od = bounce_text_find(m, "Original Message:");
        if (od)
            t = bounce_text_find_in(m, od, (gsize)(end - od), "\nTo:");
    }
    if (t) {
        const char *le = bounce_line_end(t + 1, end);
        const char *as;
        gsize al;
        if (bounce_find_address(t, (gsize)(le - t), &as, &al))
            bounce_add(m, as, al);
    }
    const char *below = bounce_text_find(m, "Error message below:");
    if (below) {
        const char *bs = bounce_next_line(below, end);
        bounce_set_all_diagnostics(m, bs, bounce_line_end(bs, end));
    }
    bounce_set_all_diagnostics(m, e, bounce_line_end(e, end));
    return bounce_finish(m);
}

/* ---- fml (mailing list manager): the list refused the post ---- */

gboolean
bounce_decode_fml(BounceMessage *m)
{
    const char *ml = bounce_header(m, "X-MLServer");
    if (ml == NULL || bounce_text_find_in(m, ml, strlen(ml), "fml") == NULL)
        return FALSE;
    if (!bounce_subject_has(m, "are not member") && !bounce_subject_has(m, "Loop Alert") &&
        !bounce_subject_has(m, "rejected"))
        return FALSE;
    const char *end = bounce_cut_returned(m, NULL);
    static const char *const orig[] = {"Original mail as follows:", NULL};
    const char *o = bounce_after(m, NULL, orig);
    if (o && o < end)
        end = o;
    /* the first paragraph names the list */
    const char *p = m->text;
    while (p < end && bounce_line_blank(p, bounce_line_end(p, end)))
        p = bounce_next_line(p, end);
    const char *pe = p;
    while (pe < end && !bounce_line_blank(pe, bounce_line_end(pe, end)))
        pe = bounce_next_line(pe, end);
    const char *as;
    gsize al;
    if (!bounce_find_address(p, (gsize)(pe - p), &as, &al))
        return FALSE;
    BounceRecipient *r = bounce_add(m, as, al);
    if (r)
        bounce_set_diagnostic(m, r, p, (gsize)(pe - p));
    return TRUE;
}
