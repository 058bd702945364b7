/*
 * Tests of the C API against the local OpenID provider (tests/provider).
 *
 *   test_c_api ISSUER_URL       (or with AUTH_TEST_ISSUER set)
 *
 * cmake/run-with-provider.sh starts the provider and passes its issuer URL.
 * The provider's test endpoints (/_test/stats, /_test/reset) are read over
 * a plain socket to 127.0.0.1, so that every assertion about how many token
 * requests were sent is checked on the server's side.
 */
#define _POSIX_C_SOURCE 200809L

#include <auth.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Stops at the first failed check: later checks would only add noise. */
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

#define CHECK_STR(actual, expected)                                        \
    do {                                                                   \
        const char *check_a_ = (actual);                                   \
        const char *check_e_ = (expected);                                 \
        if (check_a_ == NULL || strcmp(check_a_, check_e_) != 0) {         \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",      \
                    __FILE__, __LINE__, #actual,                           \
                    check_a_ ? check_a_ : "(null)", check_e_);             \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

#define CHECK_OK(call, error)                                              \
    do {                                                                   \
        AuthStatus check_s_ = (call);                                      \
        if (check_s_ != AUTH_STATUS_OK) {                                  \
            fprintf(stderr, "%s:%d: %s returned %s: %s\n", __FILE__,       \
                    __LINE__, #call, auth_status_name(check_s_),           \
                    (error) ? (error)->message : "(no error)");            \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

/* Test fixtures of tests/provider, not secrets. */
#define BASIC_CLIENT "basic-client"
#define BASIC_SECRET "s3cr+t:%/= with space"
#define POST_CLIENT "post-client"
#define POST_SECRET "post-secret-123"
#define STAMPEDE_THREADS 32

static char issuer[256];
static char token_endpoint[300];
static int provider_port;

/* ------------------------------------------------------------------------
 * The provider's test endpoints, over a raw socket to 127.0.0.1.
 * ---------------------------------------------------------------------- */

struct stats {
    long token_requests;
    long token_successes;
};

static long json_number(const char *body, const char *name)
{
    char key[64];
    const char *p;

    snprintf(key, sizeof key, "\"%s\":", name);
    p = strstr(body, key);
    CHECK(p != NULL);
    return strtol(p + strlen(key), NULL, 10);
}

/* Sends one bodiless request to the provider and returns its stats. */
static struct stats provider_call(const char *method, const char *path)
{
    struct sockaddr_in addr;
    char request[256];
    char response[4096];
    size_t used = 0;
    ssize_t n;
    const char *body;
    struct stats s;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    CHECK(fd >= 0);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)provider_port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&addr, sizeof addr) == 0);

    snprintf(request, sizeof request,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
             "Content-Length: 0\r\nConnection: close\r\n\r\n",
             method, path, provider_port);
    CHECK(write(fd, request, strlen(request)) == (ssize_t)strlen(request));
    while ((n = read(fd, response + used, sizeof response - 1 - used)) > 0)
        used += (size_t)n;
    close(fd);
    response[used] = '\0';

    CHECK(strncmp(response, "HTTP/1.1 200", 12) == 0);
    body = strstr(response, "\r\n\r\n");
    CHECK(body != NULL);
    s.token_requests = json_number(body, "token_requests");
    s.token_successes = json_number(body, "token_successes");
    return s;
}

static struct stats provider_stats(void)
{
    return provider_call("GET", "/_test/stats");
}

static void provider_reset(void)
{
    struct stats s = provider_call("POST", "/_test/reset");
    CHECK(s.token_requests == 0);
}

/* ------------------------------------------------------------------------
 * Helpers.
 * ---------------------------------------------------------------------- */

static AuthClientCredentials *basic_credentials(void)
{
    AuthClientCredentials *c = NULL;
    AuthError *error = NULL;

    CHECK_OK(auth_client_credentials_new(BASIC_CLIENT, BASIC_SECRET,
                                         token_endpoint, &c, &error),
             error);
    return c;
}

static AuthRefreshTokenResponse *get_token(const AuthClientCredentials *c,
                                           bool force_refresh)
{
    AuthRefreshTokenResponse *t = NULL;
    AuthError *error = NULL;

    CHECK_OK(auth_client_credentials_get_token(c, force_refresh, &t, &error),
             error);
    CHECK(error == NULL);
    CHECK(t != NULL);
    return t;
}

/* ------------------------------------------------------------------------
 * The API contract that needs no server.
 * ---------------------------------------------------------------------- */

static void test_version_matches_header(void)
{
    CHECK_STR(auth_version(), AUTH_VERSION);
}

static void test_status_names(void)
{
    CHECK_STR(auth_status_name(AUTH_STATUS_OK), "AUTH_STATUS_OK");
    CHECK_STR(auth_status_name(AUTH_STATUS_INVALID_ARGUMENT),
              "AUTH_STATUS_INVALID_ARGUMENT");
    CHECK_STR(auth_status_name(AUTH_STATUS_TRANSPORT),
              "AUTH_STATUS_TRANSPORT");
    CHECK_STR(auth_status_name(AUTH_STATUS_HTTP), "AUTH_STATUS_HTTP");
    CHECK_STR(auth_status_name(AUTH_STATUS_OAUTH), "AUTH_STATUS_OAUTH");
    CHECK_STR(auth_status_name(AUTH_STATUS_INVALID_RESPONSE),
              "AUTH_STATUS_INVALID_RESPONSE");
    CHECK_STR(auth_status_name(AUTH_STATUS_DISCOVERY),
              "AUTH_STATUS_DISCOVERY");
    CHECK_STR(auth_status_name(AUTH_STATUS_INTERNAL),
              "AUTH_STATUS_INTERNAL");
    CHECK_STR(auth_status_name(99), "AUTH_STATUS_UNKNOWN");
}

static void test_null_out_pointer_is_invalid_argument(void)
{
    AuthError *error = NULL;
    AuthStatus status = auth_client_credentials_new(
        BASIC_CLIENT, BASIC_SECRET, token_endpoint, NULL, &error);

    CHECK(status == AUTH_STATUS_INVALID_ARGUMENT);
    CHECK(error != NULL);
    CHECK(error->status == AUTH_STATUS_INVALID_ARGUMENT);
    CHECK(error->message != NULL && error->message[0] != '\0');
    CHECK(error->oauth_error == NULL);
    CHECK(error->http_status == 0);
    auth_error_free(error);
}

static void test_null_out_pointer_of_get_token_is_invalid_argument(void)
{
    AuthClientCredentials *c = basic_credentials();
    struct stats before = provider_stats();
    AuthError *error = NULL;

    CHECK(auth_client_credentials_get_token(c, false, NULL, &error)
          == AUTH_STATUS_INVALID_ARGUMENT);
    CHECK(error != NULL && error->status == AUTH_STATUS_INVALID_ARGUMENT);
    CHECK(provider_stats().token_requests == before.token_requests);
    auth_error_free(error);
    auth_client_credentials_free(c);
}

static void test_null_argument_is_invalid_argument(void)
{
    AuthClientCredentials *c = NULL;
    AuthError *error = NULL;

    CHECK(auth_client_credentials_new(NULL, BASIC_SECRET, token_endpoint,
                                      &c, &error)
          == AUTH_STATUS_INVALID_ARGUMENT);
    CHECK(c == NULL);
    CHECK(error != NULL && strstr(error->message, "client_id") != NULL);
    auth_error_free(error);
}

static void test_error_is_set_to_null_on_success(void)
{
    AuthError placeholder;
    AuthError *error = &placeholder;
    AuthClientCredentials *c = NULL;

    CHECK(auth_client_credentials_new(BASIC_CLIENT, BASIC_SECRET,
                                      token_endpoint, &c, &error)
          == AUTH_STATUS_OK);
    CHECK(error == NULL);
    CHECK(c != NULL);
    auth_client_credentials_free(c);
}

static void test_frees_accept_null(void)
{
    auth_client_credentials_free(NULL);
    auth_refresh_token_response_free(NULL);
    auth_oidc_discovery_metadata_free(NULL);
    auth_client_options_free(NULL);
    auth_error_free(NULL);
    CHECK(auth_client_credentials_token_endpoint(NULL) == NULL);
}

/* ------------------------------------------------------------------------
 * Against the provider.
 * ---------------------------------------------------------------------- */

static void test_discovery_returns_the_provider_metadata(void)
{
    AuthOidcDiscoveryMetadata *m = NULL;
    AuthError *error = NULL;

    CHECK_OK(auth_fetch_oidc_discovery(issuer, &m, &error), error);
    CHECK(error == NULL);
    CHECK_STR(m->issuer, issuer);
    CHECK_STR(m->token_endpoint, token_endpoint);
    CHECK(m->raw_json != NULL);
    CHECK(strstr(m->raw_json, "\"token_endpoint\"") != NULL);
    CHECK(m->jwks_uri != NULL);
    auth_oidc_discovery_metadata_free(m);
}

static void test_token_with_client_secret_basic(void)
{
    AuthClientCredentials *c = basic_credentials();
    struct stats before = provider_stats();
    AuthRefreshTokenResponse *t = get_token(c, false);
    struct stats after = provider_stats();
    int64_t now = (int64_t)time(NULL);

    /* The secret holds + : % / = and a space: only a correctly
     * form-encoded Basic header is accepted. */
    CHECK(strlen(t->access_token) > 0);
    CHECK_STR(t->token_type, "Bearer");
    /* The provider issues 600 s tokens. */
    CHECK(t->expires_at > now + 590 && t->expires_at <= now + 601);
    CHECK(after.token_successes == before.token_successes + 1);
    auth_refresh_token_response_free(t);
    auth_client_credentials_free(c);
}

static void test_token_with_client_secret_post(void)
{
    AuthClientOptions *o = auth_client_options_new();
    AuthClientCredentials *c = NULL;
    AuthRefreshTokenResponse *t;
    AuthError *error = NULL;

    CHECK(o != NULL);
    CHECK_OK(auth_client_options_set_auth_method(
                 o, AUTH_METHOD_CLIENT_SECRET_POST, &error), error);
    CHECK_OK(auth_client_credentials_new_with_options(
                 POST_CLIENT, POST_SECRET, token_endpoint, o, &c, &error),
             error);
    auth_client_options_free(o);

    /* The provider refuses post-client unless its secret is in the body. */
    t = get_token(c, false);
    CHECK(strlen(t->access_token) > 0);
    CHECK_STR(t->token_type, "Bearer");
    auth_refresh_token_response_free(t);
    auth_client_credentials_free(c);
}

static void test_requested_scope_is_granted(void)
{
    AuthClientOptions *o = auth_client_options_new();
    AuthClientCredentials *c = NULL;
    AuthRefreshTokenResponse *t;
    AuthError *error = NULL;

    CHECK(o != NULL);
    CHECK_OK(auth_client_options_set_scope(o, "api:read", &error), error);
    CHECK_OK(auth_client_credentials_new_with_options(
                 BASIC_CLIENT, BASIC_SECRET, token_endpoint, o, &c, &error),
             error);
    auth_client_options_free(o);

    t = get_token(c, false);
    CHECK_STR(t->scope, "api:read");
    auth_refresh_token_response_free(t);
    auth_client_credentials_free(c);
}

static void test_second_call_is_served_from_the_cache(void)
{
    AuthClientCredentials *c = basic_credentials();
    AuthRefreshTokenResponse *first;
    AuthRefreshTokenResponse *second;

    provider_reset();
    first = get_token(c, false);
    CHECK(provider_stats().token_requests == 1);

    second = get_token(c, false);
    CHECK_STR(second->access_token, first->access_token);
    CHECK(second->expires_at == first->expires_at);
    CHECK(provider_stats().token_requests == 1);

    auth_refresh_token_response_free(second);
    auth_refresh_token_response_free(first);
    auth_client_credentials_free(c);
}

static void test_force_refresh_fetches_a_different_token(void)
{
    AuthClientCredentials *c = basic_credentials();
    AuthRefreshTokenResponse *first;
    AuthRefreshTokenResponse *refreshed;
    AuthRefreshTokenResponse *after;

    provider_reset();
    first = get_token(c, false);
    refreshed = get_token(c, true);
    CHECK(strcmp(refreshed->access_token, first->access_token) != 0);
    CHECK(provider_stats().token_requests == 2);

    /* The refreshed token replaced the first one in the cache. */
    after = get_token(c, false);
    CHECK_STR(after->access_token, refreshed->access_token);
    CHECK(provider_stats().token_requests == 2);

    auth_refresh_token_response_free(after);
    auth_refresh_token_response_free(refreshed);
    auth_refresh_token_response_free(first);
    auth_client_credentials_free(c);
}

static void test_wrong_secret_is_invalid_client(void)
{
    static const char wrong[] = "not-the-secret-4711";
    AuthClientCredentials *c = NULL;
    AuthRefreshTokenResponse placeholder;
    AuthRefreshTokenResponse *t = &placeholder;
    AuthError *error = NULL;
    AuthStatus status;

    CHECK_OK(auth_client_credentials_new(BASIC_CLIENT, wrong, token_endpoint,
                                         &c, &error), error);
    status = auth_client_credentials_get_token(c, false, &t, &error);

    CHECK(status == AUTH_STATUS_OAUTH);
    CHECK(t == &placeholder);
    CHECK(error != NULL);
    CHECK(error->status == AUTH_STATUS_OAUTH);
    CHECK_STR(error->oauth_error, "invalid_client");
    CHECK(error->http_status == 401);
    CHECK(error->message != NULL);
    CHECK(strstr(error->message, wrong) == NULL);
    CHECK(strstr(error->message, "invalid_client") != NULL);
    auth_error_free(error);
    auth_client_credentials_free(c);
}

struct stampede {
    const AuthClientCredentials *credentials;
    pthread_barrier_t *start;
    char *token;
    AuthStatus status;
};

static void *stampede_thread(void *arg)
{
    struct stampede *s = arg;
    AuthRefreshTokenResponse *t = NULL;

    pthread_barrier_wait(s->start);
    s->status = auth_client_credentials_get_token(s->credentials, false, &t,
                                                  NULL);
    if (s->status == AUTH_STATUS_OK) {
        size_t len = strlen(t->access_token);
        s->token = malloc(len + 1);
        if (s->token != NULL)
            memcpy(s->token, t->access_token, len + 1);
    }
    auth_refresh_token_response_free(t);
    return NULL;
}

static void test_stampede_on_empty_cache_sends_one_request(void)
{
    AuthClientCredentials *c;
    pthread_barrier_t start;
    pthread_t threads[STAMPEDE_THREADS];
    struct stampede state[STAMPEDE_THREADS];
    struct stats s;
    int i;

    provider_reset();
    c = basic_credentials();
    CHECK(pthread_barrier_init(&start, NULL, STAMPEDE_THREADS) == 0);
    for (i = 0; i < STAMPEDE_THREADS; i++) {
        state[i].credentials = c;
        state[i].start = &start;
        state[i].token = NULL;
        state[i].status = AUTH_STATUS_INTERNAL;
        CHECK(pthread_create(&threads[i], NULL, stampede_thread,
                             &state[i]) == 0);
    }
    for (i = 0; i < STAMPEDE_THREADS; i++)
        CHECK(pthread_join(threads[i], NULL) == 0);
    pthread_barrier_destroy(&start);

    for (i = 0; i < STAMPEDE_THREADS; i++) {
        CHECK(state[i].status == AUTH_STATUS_OK);
        CHECK(state[i].token != NULL);
        CHECK_STR(state[i].token, state[0].token);
    }
    s = provider_stats();
    CHECK(s.token_requests == 1);
    CHECK(s.token_successes == 1);

    for (i = 0; i < STAMPEDE_THREADS; i++)
        free(state[i].token);
    auth_client_credentials_free(c);
}

/* ------------------------------------------------------------------------ */

static void parse_issuer(const char *url)
{
    static const char prefix[] = "http://127.0.0.1:";
    char *end;
    long port;

    CHECK(strlen(url) < sizeof issuer);
    CHECK(strncmp(url, prefix, sizeof prefix - 1) == 0);
    port = strtol(url + sizeof prefix - 1, &end, 10);
    CHECK(port > 0 && port < 65536 && *end == '\0');

    strcpy(issuer, url);
    snprintf(token_endpoint, sizeof token_endpoint, "%s/token", issuer);
    provider_port = (int)port;
}

#define TEST(f) { #f, f }

int main(int argc, char **argv)
{
    static const struct { const char *name; void (*run)(void); } tests[] = {
        TEST(test_version_matches_header),
        TEST(test_status_names),
        TEST(test_null_out_pointer_is_invalid_argument),
        TEST(test_null_out_pointer_of_get_token_is_invalid_argument),
        TEST(test_null_argument_is_invalid_argument),
        TEST(test_error_is_set_to_null_on_success),
        TEST(test_frees_accept_null),
        TEST(test_discovery_returns_the_provider_metadata),
        TEST(test_token_with_client_secret_basic),
        TEST(test_token_with_client_secret_post),
        TEST(test_requested_scope_is_granted),
        TEST(test_second_call_is_served_from_the_cache),
        TEST(test_force_refresh_fetches_a_different_token),
        TEST(test_wrong_secret_is_invalid_client),
        TEST(test_stampede_on_empty_cache_sends_one_request),
    };
    const char *url = argc > 1 ? argv[1] : getenv("AUTH_TEST_ISSUER");
    size_t n = sizeof tests / sizeof tests[0];
    size_t i;

    if (url == NULL) {
        fprintf(stderr, "usage: %s ISSUER_URL (or set AUTH_TEST_ISSUER); "
                "cmake/run-with-provider.sh starts the provider\n", argv[0]);
        return 2;
    }
    parse_issuer(url);

    for (i = 0; i < n; i++) {
        tests[i].run();
        printf("ok %s\n", tests[i].name);
    }
    printf("%zu passed, 0 failed\n", n);
    return 0;
}
