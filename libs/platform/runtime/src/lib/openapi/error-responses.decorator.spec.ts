import { ErrorEnvelope } from '@switchboard/contracts';
import { errorResponsesFor } from './error-responses.decorator';
import { returnsOf } from './returns.decorator';

const MEANING = {
  'WIDGETS.NOT_FOUND': 'no such widget',
  'WIDGETS.NOT_THE_OWNER': 'only its owner can do this',
  'WIDGETS.LOCKED': 'the widget is locked',
} as const;

const WidgetsErrorResponses = errorResponsesFor(MEANING);

class WidgetsController {
  @WidgetsErrorResponses({
    403: ['WIDGETS.NOT_THE_OWNER', 'WIDGETS.LOCKED'],
    404: ['WIDGETS.NOT_FOUND'],
  })
  update(): void {
    // documented only
  }

  @WidgetsErrorResponses({})
  list(): void {
    // documented only
  }
}

describe('errorResponsesFor', () => {
  it('documents one error envelope per status, naming each code with its meaning in order', () => {
    const entries = returnsOf(WidgetsController, WidgetsController.prototype.update);
    expect(entries.every((entry) => entry.schema === ErrorEnvelope)).toBe(true);
    expect(Object.fromEntries(entries.map((entry) => [entry.status, entry.description]))).toEqual({
      403: '`WIDGETS.NOT_THE_OWNER`: only its owner can do this; `WIDGETS.LOCKED`: the widget is locked',
      404: '`WIDGETS.NOT_FOUND`: no such widget',
    });
  });

  it('documents nothing for a route that lists no status', () => {
    expect(returnsOf(WidgetsController, WidgetsController.prototype.list)).toEqual([]);
  });
});
