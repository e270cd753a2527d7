import { Pool } from 'undici';

/**
 * Connections to the gateway: enough that requests never queue in this process at the rates a
 * 2-core machine reaches (in flight ≈ rate × latency), few enough to open quickly.
 */
const CONNECTIONS = 256;

/**
 * HTTP to the gateway with a keep-alive pool, as users' clients hold connections open. undici's
 * `request` rather than `fetch`: the same client underneath at a fraction of the CPU per call,
 * and this process shares the machine with the system it measures.
 */
export class GatewayClient {
  private readonly pool: Pool;

  constructor(gatewayUrl: string) {
    this.pool = new Pool(gatewayUrl, { connections: CONNECTIONS });
  }

  /** POSTs JSON as the bearer of `token`; the parsed body of the 201, anything else throws. */
  async post<T>(path: string, token: string, body: unknown): Promise<T> {
    const response = await this.pool.request({
      path,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 201) {
      throw new Error(`POST ${path}: HTTP ${response.statusCode} ${text.slice(0, 200)}`);
    }
    return JSON.parse(text) as T;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
