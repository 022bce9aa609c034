import { describe, expect, it } from 'vitest';
import { decide, type StartConversation } from '../../src/commands/startConversation/decide.js';
import { initialStreamState } from '../../src/commands/recordCallback/state.js';
import { callbackTokens } from '../../src/commands/callbackToken.js';

const command: StartConversation = {
  id: '0b7c6f1e-2a59-4d7c-9d43-6f0d3c1a2b3c',
  userId: '9a1b2c3d-0000-4000-8000-000000000001',
  scenario: { id: '3c2b1a00-0000-4000-8000-000000000002', name: 'Hard talk', description: null, rubric: null },
  request: { scenarioId: '3c2b1a00-0000-4000-8000-000000000002', replicaId: 'r1', conversationName: 'Weekly' },
  tavus: { conversationId: 'c42', conversationUrl: 'https://tavus.daily.co/c42', status: 'active' },
  now: new Date('2025-07-11T06:40:00Z'),
};

describe('starting a conversation', () => {
  it('records the conversation Tavus created, with the scenario as it was then', () => {
    const decision = decide(initialStreamState, command);
    if (!decision.accepted) throw new Error('refused');
    // Its token opens this stream only, and its row is written with it (read-your-writes).
    expect(decision).toMatchObject({ claim: { token: command.id, streamId: 'conversation-c42' }, readYourWrites: true, reply: { id: command.id } });
    const [event] = decision.events;
    expect(event).toMatchObject({
      type: 'ConversationStarted',
      streamId: 'conversation-c42',
      data: {
        id: command.id,
        userId: command.userId,
        scenario: command.scenario,
        replicaId: 'r1',
        tavusConversationId: 'c42',
        startedAt: '2025-07-11T06:40:00.000Z',
      },
    });
  });

  it('records nothing for a conversation already started, and answers with the id it has', () => {
    const earlier = '0b7c6f1e-2a59-4d7c-9d43-000000000001';
    const decision = decide({ started: { id: earlier, userId: command.userId, startedAt: '2025-07-11T06:40:00.000Z' } }, command);
    expect(decision).toMatchObject({ accepted: true, events: [], reply: { id: earlier } });
    expect(decision).not.toHaveProperty('claim');
  });
});

describe('callback tokens', () => {
  const tokens = callbackTokens('a-secret-of-sixteen-chars');
  it('name the conversation they were issued for', () => {
    expect(tokens.verify(tokens.issue(command.id))).toEqual({ conversationId: command.id, issuedAt: null });
    // Our ids are UUIDv7: the token knows when it was issued.
    const v7 = '0197f8c2-1a2b-7c3d-8e4f-5a6b7c8d9e0f';
    expect(tokens.verify(tokens.issue(v7))?.issuedAt).toEqual(new Date(parseInt('0197f8c21a2b', 16)));
  });
  it('cannot be forged or moved to another conversation', () => {
    const token = tokens.issue(command.id);
    const [, sig] = token.split('.');
    expect(tokens.verify(`11111111-2222-4333-8444-555555555555.${sig}`)).toBeUndefined();
    expect(tokens.verify(`${command.id}.${sig!.slice(0, -1)}A`)).toBeUndefined();
    expect(callbackTokens('another-secret-of-16+').verify(token)).toBeUndefined();
    expect(tokens.verify('nonsense')).toBeUndefined();
  });
});
