/*
 * Misuse of the C API: NULL for every pointer argument of every function,
 * text that is not UTF-8, enum values the header does not define, frees of
 * NULL, and a NULL log callback. Each must give the status the contract
 * (docs/C-API.md) documents, never a crash, and leave out-pointers alone.
 *
 *   test_misuse        (needs no server: every call fails before sending)
 */
#include <auth.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                      \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* A value no library call writes: out-pointers must keep it on failure. */
#define UNTOUCHED ((void *)&failures)

/* Loopback, so that nothing here could ever reach another host; no call
 * below gets far enough to connect. */
#define ENDPOINT "http://127.0.0.1:9/token"
#define ISSUER "http://127.0.0.1:9"

static const char not_utf8[] = {'a', (char)0xff, (char)0xfe, 'z', 0};

/*
 * Checks one failed call: `status` must be `expected`, and `error` must hold
 * a new AuthError with that status and a message; it is freed here.
 */
static void check_failed(AuthStatus status, AuthError *error,
                         AuthStatus expected, const char *what)
{
    if (status != expected) {
        fprintf(stderr, "%s: got %s, expected %s\n", what,
                auth_status_name(status), auth_status_name(expected));
        failures++;
    }
    if (error == NULL || error == UNTOUCHED) {
        fprintf(stderr, "%s: *error was not set\n", what);
        failures++;
        return;
    }
    CHECK(error->status == expected);
    CHECK(error->message != NULL && error->message[0] != '\0');
    CHECK(error->oauth_error == NULL);
    CHECK(error->http_status == 0);
    auth_error_free(error);
}

/* Runs CALL twice: with an error out-pointer (checked as above) and with
 * NULL for it, which must be just as safe. CALL names `err` as its last
 * argument. */
#define EXPECT(expected, CALL)                                             \
    do {                                                                   \
        AuthError *err_storage = UNTOUCHED;                                \
        AuthError **err = &err_storage;                                    \
        AuthStatus got = (CALL);                                           \
        check_failed(got, err_storage, (expected), #CALL);                 \
        err = NULL;                                                        \
        CHECK((CALL) == (expected));                                       \
    } while (0)

#define INVALID AUTH_STATUS_INVALID_ARGUMENT

static void test_constructors_reject_null_and_non_utf8(void)
{
    AuthClientCredentials *out = UNTOUCHED;

    EXPECT(INVALID, auth_client_credentials_new(NULL, "s", ENDPOINT, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", NULL, ENDPOINT, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", "s", NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", "s", ENDPOINT, NULL, err));
    EXPECT(INVALID, auth_client_credentials_new(not_utf8, "s", ENDPOINT, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", not_utf8, ENDPOINT, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", "s", not_utf8, &out, err));
    CHECK(out == UNTOUCHED);

    EXPECT(INVALID, auth_client_credentials_new_with_options(
                        NULL, "s", ENDPOINT, NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_new_with_options(
                        "id", NULL, ENDPOINT, NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_new_with_options(
                        "id", "s", NULL, NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_new_with_options(
                        "id", "s", ENDPOINT, NULL, NULL, err));
    EXPECT(INVALID, auth_client_credentials_new_with_options(
                        "id", "s", not_utf8, NULL, &out, err));
    CHECK(out == UNTOUCHED);

    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        NULL, "id", "s", NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        ISSUER, NULL, "s", NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        ISSUER, "id", NULL, NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        ISSUER, "id", "s", NULL, NULL, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        not_utf8, "id", "s", NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        ISSUER, not_utf8, "s", NULL, &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        ISSUER, "id", not_utf8, NULL, &out, err));
    CHECK(out == UNTOUCHED);
}

static void test_constructors_reject_empty_and_plaintext(void)
{
    AuthClientCredentials *out = UNTOUCHED;

    EXPECT(INVALID, auth_client_credentials_new("", "s", ENDPOINT, &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", "", ENDPOINT, &out, err));
    /* Refused from the text alone: nothing is sent to this host. */
    EXPECT(INVALID, auth_client_credentials_new(
                        "id", "s", "http://idp.example/token", &out, err));
    EXPECT(INVALID, auth_client_credentials_new("id", "s", "", &out, err));
    EXPECT(INVALID, auth_client_credentials_from_issuer(
                        "http://idp.example", "id", "s", NULL, &out, err));
    CHECK(out == UNTOUCHED);
}

static void test_get_token_rejects_null(void)
{
    AuthClientCredentials *credentials = NULL;
    AuthRefreshTokenResponse *token = UNTOUCHED;

    CHECK(auth_client_credentials_new("id", "s", ENDPOINT, &credentials,
                                      NULL) == AUTH_STATUS_OK);
    CHECK(credentials != NULL);

    EXPECT(INVALID, auth_client_credentials_get_token(NULL, false, &token, err));
    EXPECT(INVALID, auth_client_credentials_get_token(NULL, true, &token, err));
    EXPECT(INVALID, auth_client_credentials_get_token(credentials, false,
                                                      NULL, err));
    CHECK(token == UNTOUCHED);

    CHECK(auth_client_credentials_token_endpoint(NULL) == NULL);
    CHECK(strcmp(auth_client_credentials_token_endpoint(credentials),
                 ENDPOINT) == 0);
    auth_client_credentials_free(credentials);
}

static void test_discovery_rejects_null_and_non_utf8(void)
{
    AuthOidcDiscoveryMetadata *out = UNTOUCHED;

    EXPECT(INVALID, auth_fetch_oidc_discovery(NULL, &out, err));
    EXPECT(INVALID, auth_fetch_oidc_discovery(ISSUER, NULL, err));
    EXPECT(INVALID, auth_fetch_oidc_discovery(not_utf8, &out, err));
    EXPECT(INVALID, auth_fetch_oidc_discovery("http://idp.example", &out, err));
    CHECK(out == UNTOUCHED);
}

static void test_option_setters_reject_null_and_non_utf8(void)
{
    AuthClientOptions *o = auth_client_options_new();
    CHECK(o != NULL);

    EXPECT(INVALID, auth_client_options_set_scope(NULL, "a", err));
    EXPECT(INVALID, auth_client_options_set_scope(o, NULL, err));
    EXPECT(INVALID, auth_client_options_set_scope(o, not_utf8, err));

    EXPECT(INVALID, auth_client_options_set_audience(NULL, "a", err));
    EXPECT(INVALID, auth_client_options_set_audience(o, NULL, err));
    EXPECT(INVALID, auth_client_options_set_audience(o, not_utf8, err));

    EXPECT(INVALID, auth_client_options_add_parameter(NULL, "n", "v", err));
    EXPECT(INVALID, auth_client_options_add_parameter(o, NULL, "v", err));
    EXPECT(INVALID, auth_client_options_add_parameter(o, "n", NULL, err));
    EXPECT(INVALID, auth_client_options_add_parameter(o, not_utf8, "v", err));
    EXPECT(INVALID, auth_client_options_add_parameter(o, "n", not_utf8, err));

    EXPECT(INVALID, auth_client_options_set_auth_method(NULL, 0, err));
    EXPECT(INVALID, auth_client_options_set_timeout_ms(NULL, 1000, err));
    EXPECT(INVALID, auth_client_options_set_refresh_margin_s(NULL, 60, err));

    EXPECT(INVALID, auth_client_options_set_ca_file(NULL, "/x.pem", err));
    EXPECT(INVALID, auth_client_options_set_ca_file(o, NULL, err));
    EXPECT(INVALID, auth_client_options_set_ca_file(o, not_utf8, err));

    auth_client_options_free(o);
}

static void test_unknown_enum_values_are_invalid_argument(void)
{
    AuthClientOptions *o = auth_client_options_new();
    CHECK(o != NULL);

    EXPECT(INVALID, auth_client_options_set_auth_method(o, 3, err));
    EXPECT(INVALID, auth_client_options_set_auth_method(o, 99, err));
    EXPECT(INVALID, auth_client_options_set_auth_method(o, 0xffffffffu, err));
    EXPECT(INVALID, auth_client_options_set_timeout_ms(o, 0, err));
    CHECK(auth_client_options_set_auth_method(
              o, AUTH_METHOD_CLIENT_SECRET_BASIC_RAW, NULL) == AUTH_STATUS_OK);

    CHECK(strcmp(auth_status_name(99), "AUTH_STATUS_UNKNOWN") == 0);
    CHECK(strcmp(auth_status_name(0xffffffffu), "AUTH_STATUS_UNKNOWN") == 0);
    CHECK(strcmp(auth_status_name(AUTH_STATUS_INTERNAL),
                 "AUTH_STATUS_INTERNAL") == 0);

    auth_client_options_free(o);
}

static void test_every_free_accepts_null(void)
{
    auth_client_credentials_free(NULL);
    auth_refresh_token_response_free(NULL);
    auth_oidc_discovery_metadata_free(NULL);
    auth_client_options_free(NULL);
    auth_error_free(NULL);
    CHECK(1);
}

struct log_count {
    int lines;
};

static void count_lines(void *user_data, uint32_t level, const char *message)
{
    struct log_count *count = user_data;
    (void)level;
    if (message != NULL) {
        count->lines++;
    }
}

/* A failed call logs its error at ERROR level: enough to see whether a
 * callback is installed, without any server. */
static int lines_logged_by_a_failure(void)
{
    AuthClientCredentials *out = UNTOUCHED;
    (void)auth_client_credentials_new(NULL, "s", ENDPOINT, &out, NULL);
    return out == UNTOUCHED;
}

static void test_log_levels_outside_the_enum(void)
{
    struct log_count count = {0};

    auth_set_log_callback(count_lines, &count, 99);
    CHECK(lines_logged_by_a_failure());
    CHECK(count.lines == 1); /* above DEBUG means DEBUG */

    count.lines = 0;
    auth_set_log_callback(count_lines, &count, 0);
    CHECK(lines_logged_by_a_failure());
    CHECK(count.lines == 0); /* 0 turns logging off */

    auth_set_log_callback(NULL, NULL, 0);
}

static void test_null_log_callback_turns_logging_off(void)
{
    struct log_count count = {0};

    auth_set_log_callback(count_lines, &count, AUTH_LOG_LEVEL_ERROR);
    auth_set_log_callback(NULL, &count, AUTH_LOG_LEVEL_DEBUG);
    CHECK(lines_logged_by_a_failure());
    CHECK(count.lines == 0);
}

int main(void)
{
    test_constructors_reject_null_and_non_utf8();
    test_constructors_reject_empty_and_plaintext();
    test_get_token_rejects_null();
    test_discovery_rejects_null_and_non_utf8();
    test_option_setters_reject_null_and_non_utf8();
    test_unknown_enum_values_are_invalid_argument();
    test_every_free_accepts_null();
    test_log_levels_outside_the_enum();
    test_null_log_callback_turns_logging_off();

    if (failures != 0) {
        fprintf(stderr, "test_misuse: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_misuse: all checks passed\n");
    return 0;
}
