/*
 * The program every consumer test builds against an installed libauth: it
 * discovers the issuer given as its argument, fetches a token for the
 * client named by AUTH_CLIENT_ID and AUTH_CLIENT_SECRET, and checks that a
 * second call is served from the cache. Exits 0 only when all of that works
 * and the header it was built with matches the library it runs with.
 */
#include <auth.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, AuthError *error) {
  fprintf(stderr, "%s: %s (%s)\n", what, error ? error->message : "no detail",
          auth_status_name(error ? (uint32_t)error->status : 0));
  auth_error_free(error);
  return 1;
}

int main(int argc, char **argv) {
  const char *client_id = getenv("AUTH_CLIENT_ID");
  const char *client_secret = getenv("AUTH_CLIENT_SECRET");
  if (argc != 2 || !client_id || !client_secret) {
    fprintf(stderr, "usage: AUTH_CLIENT_ID=.. AUTH_CLIENT_SECRET=.. %s ISSUER\n",
            argv[0]);
    return 2;
  }
  if (strcmp(auth_version(), AUTH_VERSION) != 0) {
    fprintf(stderr, "built with auth.h %s, running with libauth %s\n",
            AUTH_VERSION, auth_version());
    return 1;
  }

  AuthClientCredentials *credentials = NULL;
  AuthError *error = NULL;
  if (auth_client_credentials_from_issuer(argv[1], client_id, client_secret,
                                          NULL, &credentials, &error) != AUTH_STATUS_OK)
    return fail("discovery", error);

  AuthRefreshTokenResponse *first = NULL, *second = NULL;
  if (auth_client_credentials_get_token(credentials, false, &first, &error) != AUTH_STATUS_OK)
    return fail("first token", error);
  if (auth_client_credentials_get_token(credentials, false, &second, &error) != AUTH_STATUS_OK)
    return fail("second token", error);

  int cached = strcmp(first->access_token, second->access_token) == 0;
  printf("libauth %s: %s token of %zu characters, second call %s\n",
         auth_version(), first->token_type, strlen(first->access_token),
         cached ? "served from the cache" : "fetched a new token");

  auth_refresh_token_response_free(second);
  auth_refresh_token_response_free(first);
  auth_client_credentials_free(credentials);
  return cached ? 0 : 1;
}
