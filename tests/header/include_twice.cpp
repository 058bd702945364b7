// auth.h from C++, twice: the declarations must have C linkage (this
// program links against libauth and calls into it) and the enums and
// structs must be usable as C++ types.
#include <auth.h>
#include <auth.h>

#include <cstdio>
#include <cstring>
#include <type_traits>

static_assert(std::is_enum<AuthStatus>::value, "AuthStatus is an enum");
static_assert(AUTH_STATUS_OK == 0, "AUTH_STATUS_OK is 0");

int main() {
  AuthClientCredentials *credentials = nullptr;
  AuthError *error = nullptr;

  // An empty client id is refused without any request.
  AuthStatus status = auth_client_credentials_new("", "secret", "https://idp.example/token",
                                                  &credentials, &error);

  bool ok = status == AUTH_STATUS_INVALID_ARGUMENT && credentials == nullptr &&
            error != nullptr && error->status == status &&
            std::strcmp(auth_version(), AUTH_VERSION) == 0;
  if (!ok)
    std::fprintf(stderr, "unexpected: %s\n", auth_status_name(status));
  auth_error_free(error);
  return ok ? 0 : 1;
}
