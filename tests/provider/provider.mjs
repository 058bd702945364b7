#!/usr/bin/env node
// Local OpenID provider for the `auth` library's demo and tests.
//
// It wraps the npm package `oidc-provider` (major version 9) with just enough
// configuration for the OAuth 2.0 client-credentials grant and OIDC discovery,
// listening on 127.0.0.1 only, over plain http. Everything lives in memory and
// is lost when the process exits. NOT FOR PRODUCTION: the client secrets below
// are test fixtures.
//
// Usage:
//   node provider.mjs [--port N] [--ttl SECONDS] [--issuer-file PATH]
//
//   --port N            port to listen on (default 0: the OS picks a free one)
//   --ttl SECONDS       lifetime of client-credentials access tokens (default 600)
//   --issuer-file PATH  once ready, write the issuer URL (no newline) to PATH,
//                       atomically (temp file + rename)
//
// Once it listens it prints exactly one line on stdout:
//   ISSUER http://127.0.0.1:<port>
// Everything else (oidc-provider notices, warnings, errors) goes to stderr.
//
// Test-only endpoints, answered before oidc-provider sees the request:
//   GET  /_test/stats  -> {"token_requests": N, "token_successes": M}
//   POST /_test/reset  -> sets both counters back to 0
// token_requests counts every POST to the token endpoint; token_successes
// counts those answered with HTTP 200.

import { generateKeyPairSync } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

// ---------------------------------------------------------------------------
// Keep stdout for the single ISSUER line. oidc-provider prints its NOTICEs
// with console.info (stdout) and its WARNINGs with console.warn (stderr); send
// the former to stderr too, and drop the one warning that only says we use
// the built-in in-memory store, which is exactly what a test provider wants.
// This must happen before oidc-provider is imported (it may warn at import
// time), hence the dynamic import() further down.
// ---------------------------------------------------------------------------
const DEV_ONLY_NOISE = [
  'a quick start development-only in-memory adapter is used',
];
const isNoise = (args) => typeof args[0] === 'string'
  && DEV_ONLY_NOISE.some((fragment) => args[0].includes(fragment));

const originalWarn = console.warn.bind(console);
console.info = (...args) => { if (!isNoise(args)) console.error(...args); };
console.log = console.info;
console.warn = (...args) => { if (!isNoise(args)) originalWarn(...args); };

// ---------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------
function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      ttl: { type: 'string', default: '600' },
      'issuer-file': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  }));
} catch (err) {
  fail(err.message);
}

const port = Number(args.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port ${args.port}`);
const ttl = Number(args.ttl);
if (!Number.isInteger(ttl) || ttl <= 0) fail(`invalid --ttl ${args.ttl} (positive integer seconds)`);
const issuerFile = args['issuer-file'];

const { default: Provider, errors } = await import('oidc-provider');

// ---------------------------------------------------------------------------
// Fixtures.
// ---------------------------------------------------------------------------
const HOST = '127.0.0.1';

// The token endpoint path. oidc-provider's default is '/token'; we pin it in
// the configuration so that the stats middleware and the discovery document
// (`token_endpoint`) agree by construction.
const TOKEN_PATH = '/token';

// Scopes a client-credentials request may ask for. oidc-provider silently
// drops requested scopes that are not in `scopes` (when no `resource` is
// sent), so these must be listed there, not only on the clients.
const API_SCOPES = ['api:read', 'api:write'];

// One resource indicator (RFC 8707) the provider knows. With `resource` set to
// this value, the access token is a JWT whose `aud` is this value. Any other
// `resource` value is refused with `invalid_target`.
const TEST_RESOURCE = 'urn:auth-test:api';

// Test fixtures, not real secrets. The Basic client's secret deliberately
// holds + : % / = and a space: a client must form-urlencode client_id and
// client_secret before joining them with ':' and base64-encoding them
// (RFC 6749 section 2.3.1), which is how oidc-provider decodes them.
const CLIENTS = [
  {
    client_id: 'basic-client',
    client_secret: 's3cr+t:%/= with space',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: API_SCOPES.join(' '),
  },
  {
    client_id: 'post-client',
    client_secret: 'post-secret-123',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope: API_SCOPES.join(' '),
  },
];
const authMethodOf = new Map(CLIENTS.map((c) => [c.client_id, c.token_endpoint_auth_method]));

// An ephemeral signing key, generated at start and never written anywhere.
// Providing it avoids oidc-provider's built-in (publicly known) development
// keys; it signs JWT access tokens for TEST_RESOURCE and appears in jwks_uri.
function ephemeralJwks() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: 'auth-test-provider', alg: 'RS256', use: 'sig' }] };
}

// ---------------------------------------------------------------------------
// Test-only counters and their endpoints.
// ---------------------------------------------------------------------------
const stats = { token_requests: 0, token_successes: 0 };

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

// Answers the test-only endpoints. Returns true when it has answered.
function testEndpoints(req, res, pathname) {
  if (pathname !== '/_test/stats' && pathname !== '/_test/reset') return false;

  const method = pathname === '/_test/stats' ? 'GET' : 'POST';
  if (req.method !== method) {
    res.setHeader('allow', method);
    sendJson(res, 405, { error: 'method not allowed' });
  } else {
    if (pathname === '/_test/reset') {
      stats.token_requests = 0;
      stats.token_successes = 0;
    }
    sendJson(res, 200, stats);
  }
  return true;
}

// ---------------------------------------------------------------------------
// The provider, built once the port is known (the issuer contains it).
// ---------------------------------------------------------------------------
function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients: CLIENTS,
    jwks: ephemeralJwks(),
    scopes: ['openid', 'offline_access', ...API_SCOPES],
    routes: { token: TOKEN_PATH },
    // Only client-credentials is used: no login pages, so no dev interactions
    // (which would also print a warning).
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      // Resource indicators are on by default in oidc-provider 9, and the
      // default getResourceServerInfo refuses every `resource`. We accept the
      // single TEST_RESOURCE and refuse the rest explicitly.
      resourceIndicators: {
        enabled: true,
        defaultResource: (ctx, client, oneOf) => oneOf,
        useGrantedResource: () => false,
        getResourceServerInfo(ctx, resourceIndicator) {
          if (resourceIndicator === TEST_RESOURCE) {
            return {
              scope: API_SCOPES.join(' '),
              audience: TEST_RESOURCE,
              accessTokenFormat: 'jwt',
              accessTokenTTL: ttl,
            };
          }
          throw new errors.InvalidTarget();
        },
      },
    },
    ttl: {
      // Our own function (not the default) so that --ttl applies whether or
      // not a resource indicator is used, and no "you SHOULD change" notice.
      ClientCredentials: () => ttl,
    },
    // No browser client here: refuse CORS instead of calling the default
    // (which prints a notice).
    clientBasedCORS: () => false,
    // Errors of browser-facing endpoints: keep it plain and quiet.
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });

  // Plain http on loopback: oidc-provider would only need `proxy` behind a
  // TLS-terminating proxy, which is not the case here.
  provider.proxy = false;

  // oidc-provider accepts either secret mechanism for a client registered
  // with client_secret_basic or client_secret_post (it only tells "secret"
  // from "JWT" from "none"). The tests need to know that the library used the
  // registered one, so enforce it: after the token endpoint has run, if the
  // mechanism did not match the registration, replace the answer with the
  // same 401 invalid_client that a wrong secret gets.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.oidc?.route !== 'token' || ctx.status !== 200) return;
    const clientId = ctx.oidc.client?.clientId;
    const registered = authMethodOf.get(clientId);
    const used = ctx.headers.authorization !== undefined ? 'client_secret_basic' : 'client_secret_post';
    if (registered && registered !== used) {
      console.error(`provider.mjs: ${clientId} is registered for ${registered} but used ${used}; answering 401`);
      const description = 'client authentication failed';
      ctx.status = 401;
      ctx.set('www-authenticate', `Basic realm="${issuer}", error="invalid_client", error_description="${description}"`);
      ctx.set('cache-control', 'no-store');
      ctx.body = { error: 'invalid_client', error_description: description };
    }
  });

  // Keep errors visible (on stderr).
  provider.on('server_error', (ctx, err) => console.error('oidc-provider server_error:', err));

  return provider;
}

// ---------------------------------------------------------------------------
// HTTP server: test endpoints and counting first, then oidc-provider.
// ---------------------------------------------------------------------------
let callback = null; // provider.callback(), set once listening

const server = createServer((req, res) => {
  const pathname = new URL(req.url, 'http://placeholder').pathname;

  if (testEndpoints(req, res, pathname)) return;

  if (!callback) return sendJson(res, 503, { error: 'temporarily_unavailable' });

  if (req.method === 'POST' && pathname === TOKEN_PATH) {
    stats.token_requests += 1;
    res.on('finish', () => {
      if (res.statusCode === 200) stats.token_successes += 1;
    });
  }

  callback(req, res);
});

server.on('error', (err) => {
  console.error(`provider.mjs: ${err.message}`);
  process.exit(1);
});

server.listen(port, HOST, () => {
  const issuer = `http://${HOST}:${server.address().port}`;
  callback = buildProvider(issuer).callback();

  if (issuerFile) {
    // Write beside the target and rename, so a reader never sees a partial file.
    const tmp = `${issuerFile}.${process.pid}.tmp`;
    writeFileSync(tmp, issuer);
    renameSync(tmp, issuerFile);
  }

  // The one line on stdout. process.stdout.write to a pipe is asynchronous;
  // the callback fires once the data has been handed to the OS.
  process.stdout.write(`ISSUER ${issuer}\n`);
});

// ---------------------------------------------------------------------------
// Clean stop on SIGTERM / SIGINT: close the listener and any idle or open
// keep-alive connections, then exit 0.
// ---------------------------------------------------------------------------
let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeAllConnections();
  // Never hang on a stubborn connection.
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
