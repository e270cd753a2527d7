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
