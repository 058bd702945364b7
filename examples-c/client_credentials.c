/*
 * client_credentials: get an OAuth 2.0 access token with libauth.
 *
 *   AUTH_CLIENT_SECRET=... client_credentials --issuer URL --client-id ID
 *   AUTH_CLIENT_SECRET=... client_credentials --token-endpoint URL \
 *       --client-id ID [--scope S] [--auth-method basic|post|basic-raw]
 *
 * It fetches a token, asks again to show that the cached token comes back
 * without a request, then forces a refresh. It never prints a whole token:
 * only its first characters, enough to tell two tokens apart.
 *
 * The secret is read from the environment, not the command line, because
 * a command line is visible to every user of the machine (ps, /proc).
 */
#include <auth.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Characters of a token shown; the rest is replaced by an ellipsis. */
#define TOKEN_PREFIX_CHARS 8
#define ELLIPSIS "\xe2\x80\xa6"

struct options {
    const char *issuer;
    const char *token_endpoint;
    const char *client_id;
    const char *scope;
    const char *auth_method;
    int verbose;
};

/*
 * What the log callback sees. The library may call it from any thread;
 * this program makes every call from its main thread, so a plain counter
 * is enough.
 */
struct log_state {
    unsigned long token_requests;
    int verbose;
};

static const char *level_name(uint32_t level)
{
    switch (level) {
    case AUTH_LOG_LEVEL_ERROR: return "error";
    case AUTH_LOG_LEVEL_WARN: return "warn";
    case AUTH_LOG_LEVEL_INFO: return "info";
    default: return "debug";
    }
}

/*
 * Counts the requests the library says it sent: each attempt is logged at
 * INFO as `token request to "<endpoint>" (attempt N)`.
 */
static void on_log(void *user_data, uint32_t level, const char *message)
{
    struct log_state *state = user_data;
    static const char sent[] = "token request to ";

    if (strncmp(message, sent, sizeof sent - 1) == 0
        && strstr(message, " (attempt ") != NULL)
        state->token_requests++;
    if (state->verbose)
        fprintf(stderr, "[auth %s] %s\n", level_name(level), message);
}

static void usage(FILE *to, const char *program)
{
    fprintf(to,
        "usage: %s (--issuer URL | --token-endpoint URL) --client-id ID\n"
        "       [--scope SCOPES] [--auth-method basic|post|basic-raw]\n"
        "       [--verbose] [--help]\n"
        "\n"
        "Gets an OAuth 2.0 access token by the client credentials grant,\n"
        "shows that a second call is served from the cache, then forces a\n"
        "refresh. The client secret is read from AUTH_CLIENT_SECRET.\n"
        "\n"
        "  --issuer URL          discover the token endpoint of this\n"
        "                        OpenID provider\n"
        "  --token-endpoint URL  use this token endpoint directly\n"
        "  --client-id ID        the client identifier\n"
        "  --scope SCOPES        space-separated scopes to request\n"
        "  --auth-method M       basic (default; with --issuer: what the\n"
        "                        provider lists), post, or basic-raw\n"
        "  --verbose             print the library's log lines on stderr\n"
        "  --help                print this help\n",
        program);
}

/*
 * Reads `--name VALUE` or `--name=VALUE` at argv[*i]. Returns 1 and sets
 * *value when argv[*i] is that option, 0 when it is another one, -1 when
 * its value is missing.
 */
static int option_value(int argc, char **argv, int *i, const char *name,
                        const char **value)
{
    size_t len = strlen(name);
    const char *arg = argv[*i];

    if (strncmp(arg, name, len) != 0)
        return 0;
    if (arg[len] == '=') {
        *value = arg + len + 1;
        return 1;
    }
    if (arg[len] != '\0')
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *i += 1;
    *value = argv[*i];
    return 1;
}

/* Returns 0 on success, 1 after --help, -1 on a usage error. */
static int parse_options(int argc, char **argv, struct options *opts)
{
    static const char *const names[] = {
        "--issuer", "--token-endpoint", "--client-id", "--scope",
        "--auth-method",
    };
    int i;

    memset(opts, 0, sizeof *opts);
    for (i = 1; i < argc; i++) {
        const char **slots[5];
        size_t n;
        int matched = 0;

        slots[0] = &opts->issuer;
        slots[1] = &opts->token_endpoint;
        slots[2] = &opts->client_id;
        slots[3] = &opts->scope;
        slots[4] = &opts->auth_method;

        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
        if (strcmp(argv[i], "--verbose") == 0) {
            opts->verbose = 1;
            continue;
        }
        for (n = 0; n < sizeof names / sizeof names[0] && !matched; n++) {
            int r = option_value(argc, argv, &i, names[n], slots[n]);
            if (r < 0) {
                fprintf(stderr, "%s: %s needs a value\n", argv[0], names[n]);
                return -1;
            }
            matched = r;
        }
        if (!matched) {
            fprintf(stderr, "%s: unknown argument '%s'\n", argv[0], argv[i]);
            return -1;
        }
    }

    if ((opts->issuer == NULL) == (opts->token_endpoint == NULL)) {
        fprintf(stderr, "%s: give exactly one of --issuer and "
                "--token-endpoint\n", argv[0]);
        return -1;
    }
    if (opts->client_id == NULL) {
        fprintf(stderr, "%s: --client-id is required\n", argv[0]);
        return -1;
    }
    return 0;
}

static int parse_auth_method(const char *name, uint32_t *method)
{
    if (strcmp(name, "basic") == 0)
        *method = AUTH_METHOD_CLIENT_SECRET_BASIC;
    else if (strcmp(name, "post") == 0)
        *method = AUTH_METHOD_CLIENT_SECRET_POST;
    else if (strcmp(name, "basic-raw") == 0)
        *method = AUTH_METHOD_CLIENT_SECRET_BASIC_RAW;
    else
        return -1;
    return 0;
}

static void print_error(const char *what, AuthStatus status,
                        const AuthError *error)
{
    fprintf(stderr, "error: %s failed: %s\n", what, auth_status_name(status));
    if (error == NULL)
        return;
    fprintf(stderr, "  message: %s\n", error->message);
    if (error->oauth_error != NULL)
        fprintf(stderr, "  oauth error: %s\n", error->oauth_error);
    if (error->oauth_error_description != NULL)
        fprintf(stderr, "  oauth error description: %s\n",
                error->oauth_error_description);
    if (error->http_status != 0)
        fprintf(stderr, "  http status: %u\n", (unsigned)error->http_status);
}

/* Formats Unix seconds as ISO 8601 UTC, e.g. 2025-01-31T12:00:00Z. */
static const char *iso8601_utc(int64_t seconds, char *buf, size_t size)
{
    time_t t = (time_t)seconds;
    const struct tm *tm = gmtime(&t);

    if (tm == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", tm) == 0)
        snprintf(buf, size, "@%lld", (long long)seconds);
    return buf;
}

static void print_token(const char *label, const AuthRefreshTokenResponse *t)
{
    char expiry[32];
    long long left = (long long)(t->expires_at - (int64_t)time(NULL));

    printf("%s: %.*s" ELLIPSIS " (%s, expires %s, in %lld s",
           label, TOKEN_PREFIX_CHARS, t->access_token, t->token_type,
           iso8601_utc(t->expires_at, expiry, sizeof expiry), left);
    if (t->scope != NULL)
        printf(", scope \"%s\"", t->scope);
    printf(")\n");
}

/* Everything main() frees on its way out. */
struct resources {
    AuthClientOptions *options;
    AuthClientCredentials *credentials;
    AuthRefreshTokenResponse *first;
    AuthRefreshTokenResponse *second;
    AuthRefreshTokenResponse *refreshed;
    AuthError *error;
};

static void release(struct resources *r)
{
    auth_refresh_token_response_free(r->refreshed);
    auth_refresh_token_response_free(r->second);
    auth_refresh_token_response_free(r->first);
    auth_client_credentials_free(r->credentials);
    auth_client_options_free(r->options);
    auth_error_free(r->error);
    /* The callback's state lives in main(): no call may reach it later. */
    auth_set_log_callback(NULL, NULL, 0);
}

static int run(const struct options *opts, const char *secret,
               struct log_state *log, struct resources *r)
{
    AuthStatus status;
    uint32_t method;

    r->options = auth_client_options_new();
    if (r->options == NULL) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    if (opts->scope != NULL) {
        status = auth_client_options_set_scope(r->options, opts->scope,
                                               &r->error);
        if (status != AUTH_STATUS_OK) {
            print_error("setting the scope", status, r->error);
            return 1;
        }
    }
    if (opts->auth_method != NULL) {
        if (parse_auth_method(opts->auth_method, &method) != 0) {
            fprintf(stderr, "error: unknown --auth-method '%s' (basic, post "
                    "or basic-raw)\n", opts->auth_method);
            return 2;
        }
        status = auth_client_options_set_auth_method(r->options, method,
                                                     &r->error);
        if (status != AUTH_STATUS_OK) {
            print_error("setting the auth method", status, r->error);
            return 1;
        }
    }

    if (opts->issuer != NULL) {
        status = auth_client_credentials_from_issuer(
            opts->issuer, opts->client_id, secret, r->options,
            &r->credentials, &r->error);
        if (status != AUTH_STATUS_OK) {
            print_error("discovery", status, r->error);
            return 1;
        }
        printf("issuer: %s\n", opts->issuer);
        printf("discovered token endpoint: %s\n",
               auth_client_credentials_token_endpoint(r->credentials));
    } else {
        status = auth_client_credentials_new_with_options(
            opts->client_id, secret, opts->token_endpoint, r->options,
            &r->credentials, &r->error);
        if (status != AUTH_STATUS_OK) {
            print_error("creating the credentials", status, r->error);
            return 1;
        }
        printf("token endpoint: %s\n",
               auth_client_credentials_token_endpoint(r->credentials));
    }

    status = auth_client_credentials_get_token(r->credentials, false,
                                               &r->first, &r->error);
    if (status != AUTH_STATUS_OK) {
        print_error("getting a token", status, r->error);
        return 1;
    }
    print_token("token", r->first);
    printf("token requests sent so far: %lu\n", log->token_requests);

    status = auth_client_credentials_get_token(r->credentials, false,
                                               &r->second, &r->error);
    if (status != AUTH_STATUS_OK) {
        print_error("getting the token again", status, r->error);
        return 1;
    }
    if (strcmp(r->first->access_token, r->second->access_token) == 0
        && log->token_requests == 1)
        printf("token requests sent so far: %lu (second call served from "
               "the cache)\n", log->token_requests);
    else
        printf("token requests sent so far: %lu (the cached token was not "
               "reused: it expires within the refresh margin)\n",
               log->token_requests);

    status = auth_client_credentials_get_token(r->credentials, true,
                                               &r->refreshed, &r->error);
    if (status != AUTH_STATUS_OK) {
        print_error("forcing a refresh", status, r->error);
        return 1;
    }
    print_token("refreshed token", r->refreshed);
    printf("token requests sent so far: %lu (refreshed token %s the "
           "first)\n", log->token_requests,
           strcmp(r->first->access_token, r->refreshed->access_token) != 0
               ? "differs from" : "is the same as");
    return 0;
}

int main(int argc, char **argv)
{
    struct options opts;
    struct log_state log = { 0, 0 };
    struct resources r = { NULL, NULL, NULL, NULL, NULL, NULL };
    const char *secret;
    int rc;

    rc = parse_options(argc, argv, &opts);
    if (rc != 0) {
        usage(rc > 0 ? stdout : stderr, argv[0]);
        return rc > 0 ? 0 : 2;
    }
    secret = getenv("AUTH_CLIENT_SECRET");
    if (secret == NULL || secret[0] == '\0') {
        fprintf(stderr, "%s: set the client secret in the environment "
                "variable AUTH_CLIENT_SECRET (it is never read from the "
                "command line)\n", argv[0]);
        return 2;
    }

    printf("libauth %s\n", auth_version());
    log.verbose = opts.verbose;
    auth_set_log_callback(on_log, &log,
                          opts.verbose ? AUTH_LOG_LEVEL_DEBUG
                                       : AUTH_LOG_LEVEL_INFO);

    rc = run(&opts, secret, &log, &r);
    release(&r);
    return rc;
}
