/*
 * The body of the module import tests. It is included after the module was
 * imported and includes no header of libauth itself, so every auth_* name
 * here must come from the imported module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fetch_once(int argc, char **argv) {
  const char *id = getenv("AUTH_CLIENT_ID");
  const char *secret = getenv("AUTH_CLIENT_SECRET");
  AuthClientCredentials *credentials = NULL;
  AuthRefreshTokenResponse *token = NULL;
  AuthError *error = NULL;

  if (argc != 2 || !id || !secret) {
    fprintf(stderr, "usage: AUTH_CLIENT_ID=.. AUTH_CLIENT_SECRET=.. %s ISSUER\n", argv[0]);
    return 2;
  }
  if (strcmp(auth_version(), AUTH_VERSION) != 0) {
    fprintf(stderr, "module says %s, library %s\n", AUTH_VERSION, auth_version());
    return 1;
  }
  if (auth_client_credentials_from_issuer(argv[1], id, secret, NULL, &credentials,
                                          &error) != AUTH_STATUS_OK ||
      auth_client_credentials_get_token(credentials, false, &token, &error) != AUTH_STATUS_OK) {
    fprintf(stderr, "%s\n", error->message);
    auth_error_free(error);
    auth_client_credentials_free(credentials);
    return 1;
  }
  printf("imported module: %s token from libauth %s\n", token->token_type, auth_version());
  auth_refresh_token_response_free(token);
  auth_client_credentials_free(credentials);
  return 0;
}
