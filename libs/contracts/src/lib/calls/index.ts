/** The domain's name: the second token of its subjects, its queue group, consumers and database. */
export const DOMAIN = 'calls';
export { CallState, CallView } from './call';
export {
  CallAccepted,
  CallCancelled,
  CallDeclined,
  CallEnded,
  CallMissed,
  CallStarted,
} from './events';
export { RelaySignal } from './rpcs';
export { CallSignal, SignalBody } from './signal';
