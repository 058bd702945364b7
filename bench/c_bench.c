/*
 * The C side of the benchmark: the same figures as bench/goclient, through
 * the C API of libauth, against bench/server on loopback. Prints
 * "name value" lines for bench/run.sh.
 *
 *   c_bench --url http://127.0.0.1:PORT [--cached N] [--rounds R]
 *           [--forced N] [--cycles N] [--stampede THREADS]
 *
 * Every object it makes is freed before it exits, so that valgrind's leak
 * check (cmake/bench.cmake) can hold the library to "no leak".
 */
#define _POSIX_C_SOURCE 200809L

#include <auth.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char *base_url;
static unsigned short port;

static void die(const char *what, AuthError *error) {
  fprintf(stderr, "c_bench: %s: %s\n", what, error ? error->message : "failed");
  auth_error_free(error);
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request to the endpoint's control paths; returns the body's number. */
static long control(const char *method, const char *path) {
  struct sockaddr_in addr;
  char request[256], answer[1024];
  size_t got = 0;
  ssize_t n;
  const char *body;
  int fd = socket(AF_INET, SOCK_STREAM, 0);

  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    die("connect to the endpoint", NULL);
  }

  snprintf(request, sizeof request,
           "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n",
           method, path);
  if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
    die("write to the endpoint", NULL);
  }
  while (got < sizeof answer - 1 &&
         (n = read(fd, answer + got, sizeof answer - 1 - got)) > 0) {
    got += (size_t)n;
  }
  answer[got] = '\0';
  close(fd);

  body = strstr(answer, "\r\n\r\n");
  if (strncmp(answer, "HTTP/1.", 7) != 0 || body == NULL ||
      strncmp(answer + 9, "200", 3) != 0) {
    die(path, NULL);
  }
  return strtol(body + 4, NULL, 10);
}

static AuthClientCredentials *credentials_new(void) {
  char token_endpoint[128];
  AuthClientCredentials *credentials = NULL;
  AuthClientOptions *options = auth_client_options_new();
  AuthError *error = NULL;

  snprintf(token_endpoint, sizeof token_endpoint, "%s/token", base_url);
  if (options == NULL ||
      auth_client_options_set_scope(options, "api:read", &error) != AUTH_STATUS_OK ||
      auth_client_credentials_new_with_options("bench-client", "bench-secret",
                                               token_endpoint, options,
                                               &credentials, &error) != AUTH_STATUS_OK) {
    die("credentials", error);
  }
  auth_client_options_free(options);
  return credentials;
}

static void get_and_free(const AuthClientCredentials *credentials, bool force) {
  AuthRefreshTokenResponse *token = NULL;
  AuthError *error = NULL;

  if (auth_client_credentials_get_token(credentials, force, &token, &error) !=
          AUTH_STATUS_OK ||
      token->access_token[0] == '\0') {
    die("get_token", error);
  }
  auth_refresh_token_response_free(token);
}

struct worker {
  const AuthClientCredentials *credentials;
  pthread_barrier_t *start;
  long calls;
};

static void *cached_worker(void *arg) {
  struct worker *w = arg;
  long i;

  pthread_barrier_wait(w->start);
  for (i = 0; i < w->calls; i++) {
    get_and_free(w->credentials, false);
  }
  return NULL;
}

/* CPU time the process has used, user and system, in seconds. */
static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* CPU time of the last run_together, to tell contention (more CPU per call)
 * from a core taken by other work (less CPU than wall time per thread). */
static double together_cpu;

/* Runs `threads` workers of `calls` each at once; returns the wall time. */
static double run_together(const AuthClientCredentials *credentials,
                           int threads, long calls) {
  pthread_t *ids = calloc((size_t)threads, sizeof *ids);
  pthread_barrier_t start;
  struct worker w;
  double began;
  int t;

  w.credentials = credentials;
  w.start = &start;
  w.calls = calls;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  for (t = 0; t < threads; t++) {
    if (pthread_create(&ids[t], NULL, cached_worker, &w) != 0) {
      die("pthread_create", NULL);
    }
  }
  pthread_barrier_wait(&start);
  began = now_s();
  together_cpu = cpu_s();
  for (t = 0; t < threads; t++) {
    pthread_join(ids[t], NULL);
  }
  together_cpu = cpu_s() - together_cpu;
  pthread_barrier_destroy(&start);
  free(ids);
  return now_s() - began;
}

static long rss_kib(void) {
  char line[256];
  long kib = -1;
  FILE *status = fopen("/proc/self/status", "r");

  while (status != NULL && fgets(line, sizeof line, status) != NULL) {
    if (strncmp(line, "VmRSS:", 6) == 0) {
      kib = strtol(line + 6, NULL, 10);
    }
  }
  if (status != NULL) {
    fclose(status);
  }
  if (kib < 0) {
    die("no VmRSS in /proc/self/status", NULL);
  }
  return kib;
}

static long arg_long(const char *value) {
  char *end;
  long v = strtol(value, &end, 10);
  if (*value == '\0' || *end != '\0' || v <= 0) {
    fprintf(stderr, "c_bench: not a positive count: %s\n", value);
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  long cached = 5000000, rounds = 3, forced = 2000, cycles = 1000000;
  long stampede = 64, i, before;
  double best1 = 1e300, best2 = 1e300, best2_cpu = 0, rate1, rate2, began;
  AuthClientCredentials *credentials, *expired;
  const char *colon;
  int a;

  for (a = 1; a + 1 < argc; a += 2) {
    if (strcmp(argv[a], "--url") == 0) {
      base_url = argv[a + 1];
    } else if (strcmp(argv[a], "--cached") == 0) {
      cached = arg_long(argv[a + 1]);
    } else if (strcmp(argv[a], "--rounds") == 0) {
      rounds = arg_long(argv[a + 1]);
    } else if (strcmp(argv[a], "--forced") == 0) {
      forced = arg_long(argv[a + 1]);
    } else if (strcmp(argv[a], "--cycles") == 0) {
      cycles = arg_long(argv[a + 1]);
    } else if (strcmp(argv[a], "--stampede") == 0) {
      stampede = arg_long(argv[a + 1]);
    } else {
      break;
    }
  }
  if (a != argc || base_url == NULL ||
      strncmp(base_url, "http://127.0.0.1:", 17) != 0) {
    fprintf(stderr, "usage: c_bench --url http://127.0.0.1:PORT [--cached N] "
                    "[--rounds R] [--forced N] [--cycles N] [--stampede N]\n");
    return 2;
  }
  colon = strrchr(base_url, ':');
  port = (unsigned short)strtol(colon + 1, NULL, 10);

  /* Cached calls, one thread, then two at once. */
  control("POST", "/reset?ttl=3600");
  credentials = credentials_new();
  get_and_free(credentials, false);
  for (i = 0; i < rounds; i++) {
    double one, two;
    began = now_s();
    {
      long c;
      for (c = 0; c < cached; c++) {
        get_and_free(credentials, false);
      }
    }
    one = now_s() - began;
    two = run_together(credentials, 2, cached);
    best1 = one < best1 ? one : best1;
    if (two < best2) {
      best2 = two;
      best2_cpu = together_cpu;
    }
  }
  rate1 = (double)cached / best1;
  rate2 = 2.0 * (double)cached / best2;
  printf("cached_ns %.2f\n", best1 * 1e9 / (double)cached);
  printf("one_thread_per_s %.0f\n", rate1);
  printf("two_threads_per_s %.0f\n", rate2);
  printf("scaling %.2f\n", rate2 / rate1);
  printf("two_threads_cpu_ns %.2f\n", best2_cpu * 1e9 / (2.0 * (double)cached));
  printf("two_threads_cores_busy %.2f\n", best2_cpu / best2);

  /* Forced fetches over the handle's kept-alive connection. */
  for (i = 0; i < 50 && i < forced; i++) {
    get_and_free(credentials, true);
  }
  began = now_s();
  for (i = 0; i < forced; i++) {
    get_and_free(credentials, true);
  }
  printf("forced_us %.1f\n", (now_s() - began) * 1e6 / (double)forced);

  /* Memory over many get/free cycles, after the above warmed everything. */
  before = rss_kib();
  for (i = 0; i < cycles; i++) {
    get_and_free(credentials, false);
  }
  printf("rss_growth_kib %ld\n", rss_kib() - before);
  auth_client_credentials_free(credentials);

  /* Stampede: a token past its expiry, then many threads at once while
   * each answer takes 50 ms. */
  control("POST", "/reset?ttl=1");
  expired = credentials_new();
  get_and_free(expired, false);
  {
    struct timespec pause = {1, 100000000};
    nanosleep(&pause, NULL);
  }
  control("POST", "/reset?ttl=3600&delay_ms=50");
  run_together(expired, (int)stampede, 1);
  printf("stampede_requests %ld\n", control("GET", "/stats"));
  control("POST", "/reset?ttl=3600");
  auth_client_credentials_free(expired);
  return 0;
}
