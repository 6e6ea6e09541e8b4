// How AWS errors are read: only EntityNotFoundException is "gone"; permission errors carry a hint and
// are not retried; throttling and server faults are retried.
import { AccessDeniedException, EntityNotFoundException, InternalServiceException, InvalidInputException, ThrottlingException } from '@aws-sdk/client-glue';
import { describe, expect, it } from 'vitest';
import { callOutcome, isEntityNotFound, sourceError } from '../../adapters/glue/glue-errors.js';
import { MirrorError } from '../../src/util/errors.js';

const meta = { $metadata: {} };

describe('glue errors', () => {
  it('only EntityNotFoundException is a not-found', () => {
    expect(isEntityNotFound(new EntityNotFoundException({ message: 'Table t not found.', ...meta }))).toBe(true);
    expect(isEntityNotFound(new AccessDeniedException({ message: 'no', ...meta }))).toBe(false);
    expect(isEntityNotFound(new Error('EntityNotFoundException'))).toBe(false);
    expect(isEntityNotFound(undefined)).toBe(false);
  });

  it('call outcomes for the metrics', () => {
    expect(callOutcome(new EntityNotFoundException({ message: 'x', ...meta }))).toBe('not_found');
    expect(callOutcome(new ThrottlingException({ message: 'Rate exceeded', ...meta }))).toBe('throttled');
    expect(callOutcome(Object.assign(new Error('slow down'), { name: 'SlowDown' }))).toBe('throttled');
    expect(callOutcome(new AccessDeniedException({ message: 'x', ...meta }))).toBe('error');
  });

  it('AccessDenied: not retried, with a permission hint naming the IAM actions and Lake Formation', () => {
    const error = sourceError(new AccessDeniedException({ message: 'Insufficient Lake Formation permission(s) on t', ...meta }), 'Glue GetTable of db.t');
    expect(error).toBeInstanceOf(MirrorError);
    expect(error.message).toBe('Glue GetTable of db.t failed: AccessDeniedException: Insufficient Lake Formation permission(s) on t');
    expect(error.retryable).toBe(false);
    expect(error.hint).toMatch(/permission.*glue:GetTable.*Lake Formation/);
    expect(sourceError(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }), 'SQS ReceiveMessage', 'sqs').hint).toMatch(/sqs:ReceiveMessage/);
  });

  it('throttling and server faults are retried; bad input is not', () => {
    expect(sourceError(new ThrottlingException({ message: 'Rate exceeded', ...meta }), 'x')).toMatchObject({ retryable: true, hint: expect.stringMatching(/requestsPerSecond/) });
    expect(sourceError(new InternalServiceException({ message: 'boom', ...meta }), 'x').retryable).toBe(true);
    expect(sourceError(new Error('socket hang up'), 'x').retryable).toBe(true);
    expect(sourceError(new InvalidInputException({ message: 'bad', ...meta }), 'x').retryable).toBe(false);
  });

  it('missing credentials and a missing queue get their own hints', () => {
    expect(sourceError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'x')).toMatchObject({
      retryable: false,
      hint: expect.stringMatching(/AWS_ACCESS_KEY_ID/),
    });
    expect(sourceError(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $fault: 'client' }), 'x', 'sqs').hint).toMatch(/queueUrl/);
  });
});
