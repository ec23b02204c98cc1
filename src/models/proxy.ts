/**
 * The usual proxy variables, read as curl reads them: HTTPS_PROXY for https URLs,
 * HTTP_PROXY for http ones (lower-case names win), NO_PROXY (or no_proxy) listing hosts
 * that go direct: `*`, `host`, `.domain` / `domain` (and its subdomains), `host:port`.
 * (undici's own EnvHttpProxyAgent does this too, but is marked experimental and prints a
 * warning on every process's first download.)
 */
import type { Dispatcher } from 'undici';

function variable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [name, entryPort] = entry.toLowerCase().replace(/^\*?\./, '.').split(/:(?=\d+$)/);
      if (entryPort !== undefined && entryPort !== port) return false;
      const bare = name!.replace(/^\./, '');
      return host === bare || host.endsWith(`.${bare}`);
    });
}

/** The proxy URL for `url`, or undefined to connect directly. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (bypassesProxy(url, variable(env, 'no_proxy'))) return undefined;
  return variable(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
}

/**
 * The dispatcher for `url`. undici is imported on first use: it takes ~45 ms to load, a
 * cost every `require('whisper-napi')` would otherwise pay although most never download.
 */
export async function dispatcherFor(url: URL, env: NodeJS.ProcessEnv = process.env): Promise<Dispatcher> {
  const proxy = proxyFor(url, env);
  const { Agent, ProxyAgent } = await import('undici');
  return proxy ? new ProxyAgent(proxy) : new Agent();
}
