/* Replays every file of a fuzz corpus directory through LLVMFuzzerTestOneInput, so that the
 * saved corpus (seeds and past crashers) runs under any compiler as part of meson test. */
#include <stdint.h>
#include <stdio.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS-DIR\n", argv[0]);
        return 2;
    }
    g_autoptr(GError) error = NULL;
    g_autoptr(GDir) dir = g_dir_open(argv[1], 0, &error);
    if (dir == NULL) {
        fprintf(stderr, "%s\n", error->message);
        return 1;
    }
    /* sorted, so that a failure is reproducible by name */
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(dir)) != NULL)
        g_ptr_array_add(names, g_strdup(name));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    printf("1..%u\n", names->len);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *path = g_build_filename(argv[1], names->pdata[i], NULL);
        g_autofree char *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &data, &len, NULL)) {
            printf("not ok %u %s (unreadable)\n", i + 1, (char *)names->pdata[i]);
            continue;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        printf("ok %u %s\n", i + 1, (char *)names->pdata[i]);
    }
    return 0;
}
