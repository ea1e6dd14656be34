/* Unit tests of the mailbox parsers (mbox, eml) and the DSN / bounce decoders. */
#include <string.h>

#include "harness.h"
#include "mailbox.h"

static void
test_placeholder(void)
{
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/mailbox/placeholder", test_placeholder);
    return g_test_run();
}
