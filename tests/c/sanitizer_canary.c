/*
 * Deliberate bugs, one per argument, that must be caught when this program
 * is built like the sanitized tests: proof that those builds really are
 * instrumented and that the sanitizers' reports reach CTest.
 *
 *   sanitizer_canary use-after-free | signed-overflow
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "use-after-free") == 0) {
        char *p = malloc(16);
        if (p == NULL) {
            return 2;
        }
        strcpy(p, "freed");
        free(p);
        return p[0] == 'f' ? 0 : 1;
    }
    if (argc == 2 && strcmp(argv[1], "signed-overflow") == 0) {
        /* volatile: the compiler may not fold the overflow away. */
        volatile int big = INT_MAX;
        int sum = big + argc;
        return sum > 0 ? 0 : 1;
    }
    fprintf(stderr, "usage: %s use-after-free | signed-overflow\n", argv[0]);
    return 2;
}
