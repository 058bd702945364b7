// Imports the module CAuth of the Swift package (bindings/swift), as a
// Swift target depending on it does, then fetches a token like
// import_auth.m.
@import CAuth;

#include "fetch_once.h"

int main(int argc, char **argv) { return fetch_once(argc, argv); }
