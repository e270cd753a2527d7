import { asyncApiDocument } from '@switchboard/contracts';
import { EventHeaders } from '../jetstream/event-headers';
import { WireHeaders } from './wire-headers';

/** The AsyncAPI document spells out the headers this lib writes: the two must name the same ones. */
describe('the headers the AsyncAPI document describes', () => {
  const messages = asyncApiDocument({ version: 'test', services: {} }).components.messages;
  const namesOf = (message: string) =>
    Object.keys((messages[message]['headers'] as { properties: object }).properties).sort();

  it('are the ones an RPC request, an error reply and an event carry', () => {
    expect(namesOf('rpc.chat.post-message.v1.request')).toEqual(
      [
        WireHeaders.DEADLINE,
        WireHeaders.TRACEPARENT,
        WireHeaders.TRACESTATE,
        WireHeaders.SOURCE,
      ].sort(),
    );
    expect(namesOf('rpc.error')).toEqual(
      [WireHeaders.SERVICE_ERROR_CODE, WireHeaders.SERVICE_ERROR, WireHeaders.ERROR_CODE].sort(),
    );
    expect(namesOf('evt.chat.message.created.v1')).toEqual(
      [
        WireHeaders.MESSAGE_ID,
        EventHeaders.EVENT_ID,
        WireHeaders.TRACEPARENT,
        WireHeaders.TRACESTATE,
        WireHeaders.SOURCE,
      ].sort(),
    );
  });
});
