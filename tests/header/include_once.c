/* auth.h on its own: it must need no other header before it. */
#include <auth.h>

AuthStatus header_use(const AuthClientCredentials *credentials,
                      AuthRefreshTokenResponse **out, AuthError **error);

AuthStatus header_use(const AuthClientCredentials *credentials,
                      AuthRefreshTokenResponse **out, AuthError **error) {
  return auth_client_credentials_get_token(credentials, false, out, error);
}
