/*
 * The version macros of auth.h against Cargo.toml (CARGO_VERSION_MAJOR,
 * _MINOR, _PATCH and CARGO_VERSION, passed by the build from Cargo.toml) and
 * against auth_version() of the library this program runs with.
 */
#include <auth.h>

#include <stdio.h>
#include <string.h>

#if AUTH_VERSION_MAJOR != CARGO_VERSION_MAJOR || AUTH_VERSION_MINOR != CARGO_VERSION_MINOR || \
    AUTH_VERSION_PATCH != CARGO_VERSION_PATCH
#error "AUTH_VERSION_MAJOR/MINOR/PATCH differ from Cargo.toml"
#endif

int main(void) {
  char from_parts[32];
  int failures = 0;

  snprintf(from_parts, sizeof from_parts, "%d.%d.%d", AUTH_VERSION_MAJOR, AUTH_VERSION_MINOR,
           AUTH_VERSION_PATCH);
  if (strcmp(AUTH_VERSION, CARGO_VERSION) != 0) {
    fprintf(stderr, "AUTH_VERSION is %s, Cargo.toml says %s\n", AUTH_VERSION, CARGO_VERSION);
    failures++;
  }
  if (strcmp(from_parts, AUTH_VERSION) != 0) {
    fprintf(stderr, "AUTH_VERSION %s differs from its parts %s\n", AUTH_VERSION, from_parts);
    failures++;
  }
  if (strcmp(auth_version(), CARGO_VERSION) != 0) {
    fprintf(stderr, "auth_version() is %s, Cargo.toml says %s\n", auth_version(), CARGO_VERSION);
    failures++;
  }
  if (failures == 0)
    printf("auth.h, Cargo.toml and libauth agree: %s\n", auth_version());
  return failures != 0;
}
