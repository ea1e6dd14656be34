/* placeholder until the CLI lands */
#include <glib.h>
int
main(void)
{
    return 0;
}
