import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isForbiddenAddress } from './webhook-url.policy';

export interface WebhookHttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** For the whole exchange: connecting, sending and reading the response. */
  timeoutMs: number;
  /** When false, a host that resolves to a non-public address is refused at connect time. */
  allowPrivate: boolean;
  /** A longer response body is not read (`too-large`). */
  maxResponseBytes: number;
}

export type WebhookHttpResult =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'too-large'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string }
  | { kind: 'refused-address'; message: string };

class ForbiddenAddressError extends Error {
  override readonly name = 'ForbiddenAddressError';
}

/**
 * One POST to a webhook, over `node:http(s)` rather than `fetch` because it lets us check the
 * address we actually connect to: the host is resolved again for the connection, and a DNS answer
 * that turned private since the URL was checked (DNS rebinding) is refused there, before any byte
 * is sent. Redirects are never followed (the 3xx is the result). One connection per call, no pool:
 * every call resolves and checks afresh.
 */
@Injectable()
export class WebhookHttpClient {
  post(request: WebhookHttpRequest): Promise<WebhookHttpResult> {
    return new Promise((resolve) => {
      let settled = false;
      let timedOut = false;
      let clientRequest: ClientRequest | undefined;
      const finish = (result: WebhookHttpResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clientRequest?.destroy();
        resolve(result);
      };
      const failed = (error: unknown) => {
        if (timedOut) finish({ kind: 'timeout' });
        else if (error instanceof ForbiddenAddressError) {
          finish({ kind: 'refused-address', message: error.message });
        } else finish({ kind: 'network', message: describe(error) });
      };
      const timer = setTimeout(() => {
        timedOut = true;
        finish({ kind: 'timeout' });
      }, request.timeoutMs);

      try {
        const url = new URL(request.url);
        const host = url.hostname.replace(/^\[|\]$/g, '');
        // An IP literal is connected to without a lookup, so it is checked here instead.
        if (!request.allowPrivate && isIP(host) !== 0 && isForbiddenAddress(host)) {
          throw new ForbiddenAddressError(`${host} is not a public address`);
        }
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        clientRequest = send(url, {
          method: 'POST',
          headers: {
            ...request.headers,
            'Content-Length': String(Buffer.byteLength(request.body)),
          },
          agent: false,
          ...(request.allowPrivate ? {} : { lookup: checkedLookup }),
        });
      } catch (error) {
        failed(error);
        return;
      }
      clientRequest.on('error', failed);
      clientRequest.on('response', (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > request.maxResponseBytes) finish({ kind: 'too-large', status });
          else chunks.push(chunk);
        });
        response.on('end', () =>
          finish({ kind: 'response', status, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', failed);
        // After 'end' this is a no-op; before it, the connection broke mid-answer.
        response.on('close', () => failed(new Error('connection closed during the answer')));
      });
      clientRequest.end(request.body);
    });
  }
}

/**
 * A `lookup` for sockets that fails when any address of the host is not public, so the connection
 * goes to an address that was checked, not to a second DNS answer. `resolve` is `dns.lookup`
 * except in tests.
 */
export function publicOnlyLookup(resolve: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const forbidden = addresses.find((entry) => isForbiddenAddress(entry.address));
      if (forbidden || addresses.length === 0) {
        const found = forbidden ? `resolved to ${forbidden.address}` : 'has no address';
        callback(
          new ForbiddenAddressError(`${hostname} ${found}, which is not a public address`),
          '',
          0,
        );
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

const checkedLookup = publicOnlyLookup();

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return code ? `${code}: ${error.message}` : error.message;
}
