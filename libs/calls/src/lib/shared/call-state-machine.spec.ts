import { Calls } from '@switchboard/contracts';
import { canTransition, isLive } from './call-state-machine';

describe('call state machine', () => {
  const legal = [
    ['ringing', 'active'],
    ['ringing', 'declined'],
    ['ringing', 'missed'],
    ['ringing', 'cancelled'],
    ['active', 'ended'],
    ['active', 'failed'],
  ];

  it('allows exactly the documented transitions', () => {
    const allowed = Calls.CallState.options.flatMap((from) =>
      Calls.CallState.options.filter((to) => canTransition(from, to)).map((to) => [from, to]),
    );
    expect(allowed).toEqual(legal);
  });

  it('calls only ringing and active calls live', () => {
    expect(Calls.CallState.options.filter(isLive)).toEqual(['ringing', 'active']);
  });
});
