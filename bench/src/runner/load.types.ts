import { type EchoRequest, type EchoResult } from '../echo.contract';
import { type LatencyRecorder } from './latency.recorder';

export type Call = (request: EchoRequest) => Promise<EchoResult>;

/** What one load window produced. */
export interface WindowResult {
  /** Replies received and checked (the echoed `seq` matched). */
  completed: number;
  /** Failed calls and replies that did not echo the request. */
  errors: number;
  /** From the window's start until the last counted reply arrived. */
  elapsedMs: number;
  latency: LatencyRecorder;
  /** Open loop only: how late the generator sent each request against its schedule. */
  sendLag?: LatencyRecorder;
}
