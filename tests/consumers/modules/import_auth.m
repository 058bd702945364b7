// Imports the clang module Auth (include/module.modulemap), as Swift's
// `import Auth` does, then fetches a token from the issuer given as the
// first argument with the client in AUTH_CLIENT_ID / AUTH_CLIENT_SECRET.
@import Auth;

#include "fetch_once.h"

int main(int argc, char **argv) { return fetch_once(argc, argv); }
