import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EventBridgeBus } from '../../../lambda/adapters/eventbridge-bus';
import { DependencyError } from '../../../lambda/errors';
import type { BusEntry } from '../../../lambda/ports';

const eventBridge = mockClient(EventBridgeClient);
const bus = () =>
  new EventBridgeBus({ client: new EventBridgeClient({ region: 'us-east-1' }), eventBusName: 'hookguard-dev' });
const entry = (id: string): BusEntry => ({
  source: 'hookguard',
  detailType: 'email.delivered',
  detail: JSON.stringify({ eventId: id }),
  time: new Date('2026-11-20T11:00:00.000Z'),
});

describe('EventBridgeBus', () => {
  afterEach(() => {
    eventBridge.reset();
  });

  it('sends one PutEvents with every entry on the configured bus', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }, { EventId: '2' }] });
    await expect(bus().putEvents([entry('a'), entry('b')])).resolves.toEqual({ failed: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'hookguard-dev',
          Source: 'hookguard',
          DetailType: 'email.delivered',
          Detail: '{"eventId":"a"}',
          Time: new Date('2026-11-20T11:00:00.000Z'),
        },
        expect.objectContaining({ Detail: '{"eventId":"b"}' }),
      ],
    });
  });

  it('maps a partial failure (HTTP 200, per-entry ErrorCode) to the failed indexes', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [
        { EventId: '1' },
        { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
        { EventId: '3' },
        { ErrorCode: 'InternalFailure' },
      ],
    });
    await expect(bus().putEvents([entry('a'), entry('b'), entry('c'), entry('d')])).resolves.toEqual({
      failed: [
        { index: 1, errorCode: 'ThrottlingException', errorMessage: 'Rate exceeded' },
        { index: 3, errorCode: 'InternalFailure' },
      ],
    });
  });

  it('never reports an entry the response does not account for as delivered', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] });
    const { failed } = await bus().putEvents([entry('a'), entry('b')]);
    expect(failed).toEqual([expect.objectContaining({ index: 1, errorCode: 'MissingResult' })]);
  });

  it('throws a DependencyError keeping the cause when the call fails', async () => {
    const cause = Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailableException' });
    eventBridge.on(PutEventsCommand).rejects(cause);
    const error = await bus()
      .putEvents([entry('a')])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as DependencyError).cause).toMatchObject({ name: 'ServiceUnavailableException' });
  });

  it('refuses more than 10 entries and makes no call for none', async () => {
    await expect(bus().putEvents(Array.from({ length: 11 }, (_, index) => entry(`${index}`)))).rejects.toThrow(
      RangeError,
    );
    await expect(bus().putEvents([])).resolves.toEqual({ failed: [] });
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 0);
  });
});
