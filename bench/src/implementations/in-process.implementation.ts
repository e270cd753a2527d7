import { echo, type EchoRequest, type EchoResult } from '../echo.contract';
import { type Caller, type Implementation } from './implementation';

/**
 * No network, no codec: the handler's logic called directly, as a monolith would. It is the
 * scale against which a hop is measured (Moleculer's transporter benchmark keeps a "Fake"
 * transporter for the same reason); its latencies are mostly the harness's own overhead
 * (two clock reads and a histogram record per call).
 */
export const inProcessImplementation: Implementation = {
  startCaller(): Promise<Caller> {
    return Promise.resolve({
      call: async (request: EchoRequest): Promise<EchoResult> => echo(request),
      stop: () => Promise.resolve(),
    });
  },
};
