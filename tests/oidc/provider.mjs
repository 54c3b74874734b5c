// A real OpenID Connect provider (npm oidc-provider) on a loopback port, for the single sign-on tests.
// Usage: EFFEKT_NODE_MODULES=<dir> node provider.mjs <redirect_uri>
// Prints {"issuer": ...} on its first line. Interactions finish at once (no login or consent screen)
// as the account last set with POST /_test/account {"sub", "email", "email_verified", "name"}.
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const modules = process.env.EFFEKT_NODE_MODULES;
const { default: Provider } = await import(pathToFileURL(path.join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const redirectUri = process.argv[2];
const accounts = new Map();
let current = 'alice';
accounts.set('alice', { sub: 'alice', email: 'alice@example.org', email_verified: true, name: 'Alice Example' });

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'effekt',
    client_secret: 'effekt-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => (accounts.has(id) ? { accountId: id, claims: async () => accounts.get(id) } : undefined),
  cookies: { keys: ['effekt-test-cookie-key'] },
  ttl: { AuthorizationCode: 60 },
});

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return JSON.parse(body || '{}');
}

provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/account' && ctx.method === 'POST') {
    const account = await readJson(ctx.req);
    accounts.set(account.sub, account);
    current = account.sub;
    ctx.status = 204;
    return;
  }
  if (ctx.path.startsWith('/interaction/')) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    const grant = new provider.Grant({ accountId: current, clientId: details.params.client_id });
    grant.addOIDCScope(details.params.scope);
    const grantId = await grant.save();
    const to = await provider.interactionResult(
      ctx.req, ctx.res, { login: { accountId: current }, consent: { grantId } }, { mergeWithLastSubmission: false },
    );
    ctx.status = 303;
    ctx.redirect(to);
    return;
  }
  await next();
});

server.on('request', provider.callback());
process.stdout.write(JSON.stringify({ issuer }) + '\n');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
