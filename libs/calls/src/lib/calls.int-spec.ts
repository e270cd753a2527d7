import { Calls, Chat } from '@switchboard/contracts';
import { performance } from 'node:perf_hooks';
import { CallsHarness } from './testing/calls-test-harness';

jest.setTimeout(30_000);

/** Calls against a real Postgres and nats-server; chat is a fake on chat's RPC subjects. */
describe('calls service', () => {
  const calls = new CallsHarness({ CALLS_RING_TIMEOUT_MS: '120000' });
  const http = () => calls.http();

  beforeAll(() => calls.start());
  afterAll(() => calls.stop());

  const view = async (callId: string, user: string) =>
    (await http().get(`/calls/${callId}`).set(calls.as(user)).expect(200)).body as Calls.CallView;

  describe('starting a call', () => {
    it("rings the conversation's other members and announces it", async () => {
      const conversationId = calls.chat.conversation(['alice', 'bob', 'carol']);
      const response = await http()
        .post('/calls')
        .set(calls.as('alice'))
        .send({ conversationId })
        .expect(201);
      const call = Calls.CallView.parse(response.body);
      expect(call).toMatchObject({
        conversationId,
        callerId: 'alice',
        inviteeIds: ['bob', 'carol'],
        state: 'ringing',
        acceptedBy: null,
        answeredAt: null,
        endedAt: null,
        durationSeconds: null,
      });
      expect(Date.parse(call.ringsUntil) - Date.parse(call.createdAt)).toBe(120_000);
      const [started] = await calls.waitForEvents(Calls.CallStarted, (e) => e.call.id === call.id);
      expect(started).toEqual({ call, participantIds: ['alice', 'bob', 'carol'] });
      expect(await view(call.id, 'carol')).toEqual(call);
      await calls.act(call.id, 'cancel', 'alice').expect(200);
    });

    it('asks chat whether the caller is a member, and who else is in the conversation', async () => {
      const conversationId = calls.chat.conversation(['dave', 'eve']);
      const outsider = await http()
        .post('/calls')
        .set(calls.as('mallory'))
        .send({ conversationId })
        .expect(403);
      expect(outsider.body.code).toBe('CALLS.NOT_A_MEMBER');
      const unknown = await http()
        .post('/calls')
        .set(calls.as('dave'))
        .send({ conversationId: '0195f6a0-0000-7000-8000-000000000000' })
        .expect(404);
      expect(unknown.body.code).toBe('CALLS.CONVERSATION_NOT_FOUND');
      const alone = await http()
        .post('/calls')
        .set(calls.as('dave'))
        .send({ conversationId: calls.chat.conversation(['dave']) })
        .expect(409);
      expect(alone.body.code).toBe('CALLS.NO_INVITEES');
      const asked = calls.chat.requests.filter(
        (r) => (r.body as { conversationId?: string }).conversationId === conversationId,
      );
      expect(asked).toEqual([
        { subject: Chat.CheckMembership.subject, body: { conversationId, userId: 'mallory' } },
      ]);
    });

    it('rejects bad input and missing tokens', async () => {
      const bad = await http().post('/calls').set(calls.as('alice')).send({ conversationId: 'x' });
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      const extra = await http()
        .post('/calls')
        .set(calls.as('alice'))
        .send({ conversationId: calls.chat.conversation(['alice', 'bob']), video: true });
      expect(extra.status).toBe(400);
      await http()
        .post('/calls')
        .send({ conversationId: calls.chat.conversation(['alice', 'bob']) })
        .expect(401);
      await http().get('/calls').expect(401);
      await http().get('/calls/not-a-uuid').set(calls.as('alice')).expect(400);
    });

    it('answers 503 at once when chat is down, and works again when it is back', async () => {
      const conversationId = calls.chat.conversation(['fay', 'gus']);
      await calls.chat.down();
      try {
        const startedAt = performance.now();
        const response = await http()
          .post('/calls')
          .set(calls.as('fay'))
          .send({ conversationId })
          .expect(503);
        expect(performance.now() - startedAt).toBeLessThan(1_500);
        expect(response.body).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
      } finally {
        await calls.chat.up();
      }
      const call = (
        await http().post('/calls').set(calls.as('fay')).send({ conversationId }).expect(201)
      ).body as Calls.CallView;
      await calls.act(call.id, 'cancel', 'fay').expect(200);
    });
    it('answers 504 when chat does not answer within the deadline', async () => {
      const conversationId = calls.chat.conversation(['fay', 'gus']);
      await calls.chat.down();
      // Someone listens on the subject but never replies: a hung chat.
      const silent = calls.nats.subscribe(Chat.CheckMembership.subject);
      await calls.nats.flush();
      try {
        const startedAt = performance.now();
        const response = await http()
          .post('/calls')
          .set(calls.as('fay'))
          .send({ conversationId })
          .expect(504);
        const elapsed = performance.now() - startedAt;
        expect(elapsed).toBeGreaterThanOrEqual(1_900);
        expect(elapsed).toBeLessThan(4_000);
        expect(response.body).toMatchObject({ code: 'DEADLINE_EXCEEDED', retriable: true });
      } finally {
        silent.unsubscribe();
        await calls.chat.up();
      }
      // Nothing was stored.
      const history = (await http().get('/calls').set(calls.as('fay')).expect(200)).body
        .items as Calls.CallView[];
      expect(history.filter((call) => call.conversationId === conversationId)).toEqual([]);
    });
  });

  describe('state machine', () => {
    it('ringing → active → ended: accept, then hang up with the duration', async () => {
      const call = await calls.call('alice', ['bob']);
      const accepted = (await calls.act(call.id, 'accept', 'bob').expect(200))
        .body as Calls.CallView;
      expect(accepted).toMatchObject({ state: 'active', acceptedBy: 'bob', endedAt: null });
      expect(accepted.answeredAt).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const ended = (await calls.act(call.id, 'hangup', 'alice').expect(200))
        .body as Calls.CallView;
      expect(ended).toMatchObject({ state: 'ended', acceptedBy: 'bob' });
      expect(ended.durationSeconds).toBeGreaterThanOrEqual(1);
      expect(ended.durationSeconds).toBeLessThan(5);
      const [event] = await calls.waitForEvents(Calls.CallEnded, (e) => e.call.id === call.id);
      expect(event).toEqual({ call: ended, participantIds: ['alice', 'bob'] });
      expect(calls.eventsOf(call.id)).toEqual([
        ['evt.calls.call.started.v1', 'ringing'],
        ['evt.calls.call.accepted.v1', 'active'],
        ['evt.calls.call.ended.v1', 'ended'],
      ]);
    });

    it('active → failed when a side reports a broken connection (the other side may too)', async () => {
      const call = await calls.call('carol', ['dave']);
      await calls.act(call.id, 'accept', 'dave').expect(200);
      const failed = (
        await calls.act(call.id, 'fail', 'dave', { reason: 'ice-failed' }).expect(200)
      ).body as Calls.CallView;
      expect(failed).toMatchObject({ state: 'failed', durationSeconds: 0 });
      const [event] = await calls.waitForEvents(Calls.CallEnded, (e) => e.call.id === call.id);
      expect(event.call.state).toBe('failed');
      const withoutBody = await calls.call('carol', ['dave']);
      await calls.act(withoutBody.id, 'accept', 'dave').expect(200);
      await calls.act(withoutBody.id, 'fail', 'carol').expect(200);
    });

    it('ringing → declined at once in a 1:1 call', async () => {
      const call = await calls.call('eve', ['fay']);
      const declined = (await calls.act(call.id, 'decline', 'fay').expect(200))
        .body as Calls.CallView;
      expect(declined).toMatchObject({ state: 'declined', durationSeconds: null });
      expect(declined.endedAt).not.toBeNull();
      await calls.waitForEvents(Calls.CallDeclined, (e) => e.call.id === call.id);
    });

    it('ringing → declined in a group only when every invitee declined', async () => {
      const call = await calls.call('gus', ['hal', 'ivy', 'jo']);
      expect((await calls.act(call.id, 'decline', 'hal').expect(200)).body.state).toBe('ringing');
      const again = await calls.act(call.id, 'decline', 'hal').expect(409);
      expect(again.body.code).toBe('CALLS.ALREADY_DECLINED');
      const acceptAfterDecline = await calls.act(call.id, 'accept', 'hal').expect(409);
      expect(acceptAfterDecline.body.code).toBe('CALLS.ALREADY_DECLINED');
      expect((await calls.act(call.id, 'decline', 'ivy').expect(200)).body.state).toBe('ringing');
      expect((await calls.act(call.id, 'decline', 'jo').expect(200)).body.state).toBe('declined');
      await calls.waitForEvents(Calls.CallDeclined, (e) => e.call.id === call.id);
      expect(calls.eventsOf(call.id).map(([subject]) => subject)).toEqual([
        'evt.calls.call.started.v1',
        'evt.calls.call.declined.v1',
      ]);
    });

    it('declines a group call once when its invitees decline at the same time', async () => {
      const call = await calls.call('kim', ['lee', 'mo', 'ned', 'oz']);
      const responses = await Promise.all(
        ['lee', 'mo', 'ned', 'oz'].map((user) => calls.act(call.id, 'decline', user)),
      );
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect((await view(call.id, 'kim')).state).toBe('declined');
      await calls.waitForEvents(Calls.CallDeclined, (e) => e.call.id === call.id);
      await calls.act(call.id, 'cancel', 'kim').expect(409);
      expect(calls.published(Calls.CallDeclined, (e) => e.call.id === call.id)).toHaveLength(1);
    });

    it('ringing → cancelled by the caller', async () => {
      const call = await calls.call('pat', ['quinn']);
      const cancelled = (await calls.act(call.id, 'cancel', 'pat').expect(200))
        .body as Calls.CallView;
      expect(cancelled.state).toBe('cancelled');
      const [event] = await calls.waitForEvents(Calls.CallCancelled, (e) => e.call.id === call.id);
      expect(event.participantIds).toEqual(['pat', 'quinn']);
    });

    /** A call of ray → sue brought into each state. */
    const inState = async (state: Calls.CallState): Promise<string> => {
      const call = await calls.call('ray', ['sue']);
      const steps: Record<Calls.CallState, [string, string][]> = {
        ringing: [],
        active: [['accept', 'sue']],
        ended: [
          ['accept', 'sue'],
          ['hangup', 'ray'],
        ],
        failed: [
          ['accept', 'sue'],
          ['fail', 'ray'],
        ],
        declined: [['decline', 'sue']],
        cancelled: [['cancel', 'ray']],
        missed: [],
      };
      for (const [action, user] of steps[state]) await calls.act(call.id, action, user).expect(200);
      return call.id;
    };
    const actor: Record<string, string> = {
      accept: 'sue',
      decline: 'sue',
      cancel: 'ray',
      hangup: 'ray',
      fail: 'ray',
    };
    const target: Record<string, Calls.CallState> = {
      accept: 'active',
      decline: 'declined',
      cancel: 'cancelled',
      hangup: 'ended',
      fail: 'failed',
    };
    const illegal: [Calls.CallState, string][] = [
      ['ringing', 'hangup'],
      ['ringing', 'fail'],
      ['active', 'decline'],
      ['active', 'cancel'],
      ...(['ended', 'failed', 'declined', 'cancelled'] as const).flatMap((state) =>
        ['accept', 'decline', 'cancel', 'hangup', 'fail'].map(
          (action): [Calls.CallState, string] => [state, action],
        ),
      ),
    ];

    it.each(illegal)(
      'refuses a %s call the action %s: 409 CALLS.ILLEGAL_TRANSITION',
      async (state, action) => {
        const callId = await inState(state);
        const response = await calls.act(callId, action, actor[action]).expect(409);
        expect(response.body).toMatchObject({
          code: 'CALLS.ILLEGAL_TRANSITION',
          details: { callId, from: state, to: target[action] },
        });
        expect((await view(callId, 'ray')).state).toBe(state);
        if (state === 'ringing') await calls.act(callId, 'cancel', 'ray').expect(200);
        if (state === 'active') await calls.act(callId, 'hangup', 'ray').expect(200);
      },
    );

    it('answers ALREADY_ANSWERED to accepting an active call', async () => {
      const callId = await inState('active');
      const response = await calls.act(callId, 'accept', 'sue').expect(409);
      expect(response.body).toMatchObject({
        code: 'CALLS.ALREADY_ANSWERED',
        details: { acceptedBy: 'sue' },
      });
      await calls.act(callId, 'hangup', 'sue').expect(200);
    });

    it('lets only the right people act: 403 with a code, 404 for unknown calls', async () => {
      const call = await calls.call('tom', ['uma', 'vic']);
      const expectCode = async (action: string, user: string, status: number, code: string) =>
        expect((await calls.act(call.id, action, user).expect(status)).body.code).toBe(code);
      await expectCode('accept', 'tom', 403, 'CALLS.NOT_AN_INVITEE');
      await expectCode('decline', 'tom', 403, 'CALLS.NOT_AN_INVITEE');
      await expectCode('cancel', 'uma', 403, 'CALLS.NOT_THE_CALLER');
      for (const action of ['accept', 'decline', 'cancel', 'hangup', 'fail']) {
        await expectCode(action, 'mallory', 403, 'CALLS.NOT_A_PARTICIPANT');
      }
      const outsider = await http().get(`/calls/${call.id}`).set(calls.as('mallory')).expect(403);
      expect(outsider.body.code).toBe('CALLS.NOT_A_PARTICIPANT');
      await calls.act(call.id, 'accept', 'uma').expect(200);
      await expectCode('hangup', 'vic', 403, 'CALLS.NOT_CONNECTED');
      await expectCode('fail', 'vic', 403, 'CALLS.NOT_CONNECTED');
      const unknown = '0195f6a0-0000-7000-8000-000000000001';
      const missing = await http().get(`/calls/${unknown}`).set(calls.as('tom')).expect(404);
      expect(missing.body.code).toBe('CALLS.CALL_NOT_FOUND');
      await calls.act(unknown, 'accept', 'tom').expect(404);
      await calls.act(call.id, 'fail', 'tom', { reason: '' }).expect(400);
      await calls.act(call.id, 'hangup', 'uma').expect(200);
    });
  });

  describe('races and busy users', () => {
    it('lets exactly one of five concurrent accepts win', async () => {
      const invitees = ['bob', 'carol', 'dave', 'eve', 'fay'];
      const call = await calls.call('alice', invitees);
      const responses = await Promise.all(
        invitees.map((user) => calls.act(call.id, 'accept', user)),
      );
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409]);
      const winner = responses.find((r) => r.status === 200)?.body as Calls.CallView;
      for (const loser of responses.filter((r) => r.status === 409)) {
        expect(loser.body).toMatchObject({
          code: 'CALLS.ALREADY_ANSWERED',
          details: { acceptedBy: winner.acceptedBy },
        });
      }
      expect((await view(call.id, 'alice')).acceptedBy).toBe(winner.acceptedBy);
      await calls.waitForEvents(Calls.CallAccepted, (e) => e.call.id === call.id);
      await calls.act(call.id, 'hangup', 'alice').expect(200);
      await calls.waitForEvents(Calls.CallEnded, (e) => e.call.id === call.id);
      expect(calls.published(Calls.CallAccepted, (e) => e.call.id === call.id)).toHaveLength(1);
    });

    it('lets one of two accepts by the same user win', async () => {
      const call = await calls.call('gus', ['hal']);
      const responses = await Promise.all([1, 2].map(() => calls.act(call.id, 'accept', 'hal')));
      expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
      await calls.act(call.id, 'hangup', 'hal').expect(200);
    });

    it('keeps a caller in one call at a time, also when two starts race', async () => {
      const first = await calls.call('ivy', ['jo']);
      const busy = await http()
        .post('/calls')
        .set(calls.as('ivy'))
        .send({ conversationId: calls.chat.conversation(['ivy', 'kim']) })
        .expect(409);
      expect(busy.body).toMatchObject({
        code: 'CALLS.USER_BUSY',
        details: { userId: 'ivy', callId: first.id },
      });
      await calls.act(first.id, 'cancel', 'ivy').expect(200);

      const conversations = [['lee'], ['mo'], ['ned']].map((others) =>
        calls.chat.conversation(['ivy', ...others]),
      );
      const racing = await Promise.all(
        conversations.map((conversationId) =>
          http().post('/calls').set(calls.as('ivy')).send({ conversationId }),
        ),
      );
      expect(racing.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const winner = racing.find((r) => r.status === 201)?.body as Calls.CallView;
      await calls.act(winner.id, 'cancel', 'ivy').expect(200);
      // Free again once the call is over.
      const next = await calls.call('ivy', ['jo']);
      await calls.act(next.id, 'cancel', 'ivy').expect(200);
    });

    it('refuses to accept while in another call, and frees people when a call ends', async () => {
      const own = await calls.call('oz', ['pat']);
      const incoming = await calls.call('quinn', ['oz']);
      const response = await calls.act(incoming.id, 'accept', 'oz').expect(409);
      expect(response.body).toMatchObject({ code: 'CALLS.USER_BUSY', details: { callId: own.id } });
      expect((await view(incoming.id, 'quinn')).state).toBe('ringing');
      await calls.act(own.id, 'accept', 'pat').expect(200);
      // pat is in a call now: pat cannot start another.
      const patBusy = await http()
        .post('/calls')
        .set(calls.as('pat'))
        .send({ conversationId: calls.chat.conversation(['pat', 'ray']) })
        .expect(409);
      expect(patBusy.body.code).toBe('CALLS.USER_BUSY');
      await calls.act(own.id, 'hangup', 'pat').expect(200);
      await calls.act(incoming.id, 'accept', 'oz').expect(200);
      await calls.act(incoming.id, 'hangup', 'quinn').expect(200);
    });
  });

  describe('signaling', () => {
    const subscribe = async (user: string) => {
      const received: unknown[] = [];
      const subscription = calls.nats.subscribe(Calls.CallSignal.subjectFor(user), {
        callback: (_error, msg) => received.push(JSON.parse(new TextDecoder().decode(msg.data))),
      });
      await calls.nats.flush();
      return { received, stop: () => subscription.unsubscribe() };
    };

    it("relays a signal to the recipient's push subject as the contract says", async () => {
      const call = await calls.call('uma', ['j.doe', 'vic']);
      const inbox = await subscribe('j.doe');
      expect(Calls.CallSignal.subjectFor('j.doe')).toBe('push.calls.signal.v1.j%2Edoe');
      const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
      await calls.act(call.id, 'signal', 'uma', { toUserId: 'j.doe', signal: offer }).expect(202);
      await calls.nats.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(inbox.received).toHaveLength(1);
      const payload = Calls.CallSignal.payload.parse(inbox.received[0]);
      expect(payload).toMatchObject({
        callId: call.id,
        fromUserId: 'uma',
        toUserId: 'j.doe',
        signal: offer,
      });

      // The invitee answers the caller; invitees cannot signal each other.
      const candidate = {
        type: 'ice-candidate',
        candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      };
      await calls
        .act(call.id, 'signal', 'j.doe', { toUserId: 'uma', signal: candidate })
        .expect(202);
      const sideways = await calls
        .act(call.id, 'signal', 'vic', { toUserId: 'j.doe', signal: candidate })
        .expect(403);
      expect(sideways.body.code).toBe('CALLS.INVALID_RECIPIENT');
      expect(
        (await calls.act(call.id, 'signal', 'uma', { toUserId: 'uma', signal: offer }).expect(403))
          .body.code,
      ).toBe('CALLS.INVALID_RECIPIENT');
      expect(
        (
          await calls
            .act(call.id, 'signal', 'uma', { toUserId: 'mallory', signal: offer })
            .expect(403)
        ).body.code,
      ).toBe('CALLS.INVALID_RECIPIENT');
      expect(
        (
          await calls
            .act(call.id, 'signal', 'mallory', { toUserId: 'uma', signal: offer })
            .expect(403)
        ).body.code,
      ).toBe('CALLS.NOT_A_PARTICIPANT');
      await calls
        .act(call.id, 'signal', 'uma', { toUserId: 'vic', signal: { type: 'offer' } })
        .expect(400);
      await calls
        .act(call.id, 'signal', 'uma', { toUserId: 'vic', signal: { type: 'bye' } })
        .expect(400);

      // Active: only the two connected people.
      await calls.act(call.id, 'accept', 'j.doe').expect(200);
      await calls
        .act(call.id, 'signal', 'j.doe', {
          toUserId: 'uma',
          signal: { type: 'answer', sdp: 'v=0' },
        })
        .expect(202);
      await calls.act(call.id, 'signal', 'uma', { toUserId: 'vic', signal: offer }).expect(403);

      await calls.act(call.id, 'hangup', 'uma').expect(200);
      const over = await calls
        .act(call.id, 'signal', 'uma', { toUserId: 'j.doe', signal: offer })
        .expect(409);
      expect(over.body.code).toBe('CALLS.CALL_OVER');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(inbox.received).toHaveLength(1);
      inbox.stop();
    });
  });

  describe(Calls.RelaySignal.subject, () => {
    const offer = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
    /** Every signal push, to anyone. */
    const pushes = async () => {
      const received: { subject: string; payload: unknown }[] = [];
      const subscription = calls.nats.subscribe(`${Calls.CallSignal.subjectPrefix}.*`, {
        callback: (_error, msg) =>
          received.push({
            subject: msg.subject,
            payload: JSON.parse(new TextDecoder().decode(msg.data)),
          }),
      });
      await calls.nats.flush();
      return { received, stop: () => subscription.unsubscribe() };
    };
    const quiet = async () => {
      await calls.nats.flush();
      await new Promise((resolve) => setTimeout(resolve, 100));
    };

    it("relays a participant's signal to the recipient's push subject and replies with sentAt", async () => {
      const call = await calls.call('wes', ['x.ia', 'yan']);
      const seen = await pushes();
      const before = Date.now();
      const reply = await calls.rpc(Calls.RelaySignal.subject, {
        callId: call.id,
        fromUserId: 'wes',
        toUserId: 'x.ia',
        signal: offer,
      });
      expect(reply).toEqual({ ok: true, sentAt: expect.any(String) });
      expect(Date.parse(reply['sentAt'] as string)).toBeGreaterThanOrEqual(before - 5);
      await quiet();
      expect(seen.received).toEqual([
        {
          subject: 'push.calls.signal.v1.x%2Eia',
          payload: {
            callId: call.id,
            fromUserId: 'wes',
            toUserId: 'x.ia',
            signal: offer,
            sentAt: reply['sentAt'],
          },
        },
      ]);
      seen.stop();
      await calls.act(call.id, 'cancel', 'wes').expect(200);
    });

    it('answers the error envelope of the HTTP route and publishes nothing on a refusal', async () => {
      const call = await calls.call('wes', ['x.ia', 'yan']);
      const seen = await pushes();
      const relay = (body: Record<string, unknown>) =>
        calls.rpc(Calls.RelaySignal.subject, {
          callId: call.id,
          fromUserId: 'wes',
          toUserId: 'x.ia',
          signal: offer,
          ...body,
        });

      const outsider = await calls.nats.request(
        Calls.RelaySignal.subject,
        new TextEncoder().encode(
          JSON.stringify({
            callId: call.id,
            fromUserId: 'mallory',
            toUserId: 'wes',
            signal: offer,
          }),
        ),
        { timeout: 5_000 },
      );
      expect(JSON.parse(new TextDecoder().decode(outsider.data))).toMatchObject({
        ok: false,
        code: 'CALLS.NOT_A_PARTICIPANT',
        retriable: false,
      });
      expect(outsider.headers?.get('Nats-Service-Error-Code')).toBe('403');
      expect(await relay({ fromUserId: 'yan' })).toMatchObject({
        ok: false,
        code: 'CALLS.INVALID_RECIPIENT',
      });
      expect(await relay({ callId: '0195f6a0-0000-7000-8000-000000000000' })).toMatchObject({
        ok: false,
        code: 'CALLS.CALL_NOT_FOUND',
      });

      // A body that breaks the contract never reaches the use case.
      const invalid = await relay({ signal: { type: 'offer' } });
      expect(invalid).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT', retriable: false });
      expect(invalid['details']).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: 'signal.sdp' })]),
      );
      for (const body of [{ callId: 'nope' }, { toUserId: 'not valid' }, { extra: true }]) {
        expect(await relay(body)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
      }

      await calls.act(call.id, 'cancel', 'wes').expect(200);
      expect(await relay({})).toMatchObject({ ok: false, code: 'CALLS.CALL_OVER' });
      await quiet();
      expect(seen.received).toEqual([]);
      seen.stop();
    });
  });

  describe('history', () => {
    it('pages my calls, made or received, newest first', async () => {
      const made: string[] = [];
      for (const other of ['bob', 'carol', 'dave']) {
        const call = await calls.call('mo', [other]);
        await calls.act(call.id, 'cancel', 'mo').expect(200);
        made.push(call.id);
      }
      const received = await calls.call('eve', ['mo', 'fay']);
      await calls.act(received.id, 'cancel', 'eve').expect(200);
      const expected = [received.id, ...made.reverse()];

      const ids: string[] = [];
      let cursor: string | null = null;
      const pages: number[] = [];
      do {
        const query: Record<string, string | number> = { limit: 2, ...(cursor ? { cursor } : {}) };
        const page = await http().get('/calls').query(query).set(calls.as('mo')).expect(200);
        pages.push(page.body.items.length);
        ids.push(...page.body.items.map((item: Calls.CallView) => item.id));
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      // mo took part in calls of the earlier tests too; these four are the newest.
      expect(ids.slice(0, 4)).toEqual(expected);
      expect(new Set(ids).size).toBe(ids.length);
      expect(pages.slice(0, -1).every((size) => size === 2)).toBe(true);

      const fay = await http().get('/calls').set(calls.as('fay')).expect(200);
      expect(fay.body.items[0].id).toBe(received.id);
      const nobody = await http().get('/calls').set(calls.as('mallory')).expect(200);
      expect(nobody.body).toEqual({ items: [], nextCursor: null });
      await http().get('/calls').query({ cursor: 'nope' }).set(calls.as('mo')).expect(400);
      await http().get('/calls').query({ limit: 0 }).set(calls.as('mo')).expect(400);
    });
  });

  describe('OpenAPI document', () => {
    interface Operation {
      responses: Record<string, { description: string }>;
    }

    it('documents every route, its success and its domain errors', async () => {
      const paths = (await http().get('/docs/openapi.json').expect(200)).body.paths as Record<
        string,
        Record<string, Operation>
      >;
      const operations = Object.entries(paths)
        .filter(([path]) => path.startsWith('/calls'))
        .flatMap(([path, byMethod]) =>
          Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
        );
      expect(
        operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort(),
      ).toEqual([
        'GET /calls',
        'GET /calls/{id}',
        'POST /calls',
        'POST /calls/{id}/accept',
        'POST /calls/{id}/cancel',
        'POST /calls/{id}/decline',
        'POST /calls/{id}/fail',
        'POST /calls/{id}/hangup',
        'POST /calls/{id}/signal',
      ]);
      for (const { operation } of operations) {
        expect(operation.responses['401']).toBeDefined();
        const success = Object.entries(operation.responses).find(([status]) => status < '300');
        expect(success?.[1].description).not.toMatch(/undocumented/i);
      }
      const responses = (path: string, method = 'post') => paths[path]?.[method]?.responses ?? {};
      expect(responses('/calls')['503']?.description).toContain('UNAVAILABLE');
      expect(responses('/calls')['409']?.description).toContain('CALLS.USER_BUSY');
      expect(responses('/calls/{id}/accept')['409']?.description).toContain(
        'CALLS.ALREADY_ANSWERED',
      );
      expect(responses('/calls/{id}/hangup')['409']?.description).toContain(
        'CALLS.ILLEGAL_TRANSITION',
      );
      expect(responses('/calls/{id}', 'get')['403']?.description).toContain(
        'CALLS.NOT_A_PARTICIPANT',
      );
      expect(Object.keys(responses('/calls/{id}/signal'))).toEqual(
        expect.arrayContaining(['202', '400', '403', '404', '409']),
      );
    });
  });
});
