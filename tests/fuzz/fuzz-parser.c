/* libFuzzer target for one parser (FUZZ_PARSER names it): the bytes are one input stream. */
#include <stdint.h>

#include "harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const ParserClass *klass = parser_registry_find(FUZZ_PARSER);
    if (klass == NULL)
        return 0;
    Harness *h = harness_run(klass, (const char *)data, size, 2026);
    harness_free(h);
    return 0;
}
