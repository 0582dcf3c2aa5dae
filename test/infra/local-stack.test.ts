import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkS3, checkTemporal } from '../../infra/doctor/checks';
import { startTestStack, type TestStack } from '../support/test-stack';

describe('local stack', () => {
  let env: TestStack;

  before(async () => {
    env = await startTestStack();
  });

  after(async () => {
    await env?.destroy();
  });

  test('a second up finds both services running and starts nothing', async () => {
    const before = await env.stack.status();
    const again = await env.stack.up();
    assert.equal(again.temporal.state, 'running');
    assert.equal(again.s3.state, 'running');
    assert.equal(again.temporal.pid, before.temporal.pid);
    assert.equal(again.s3.pid, before.s3.pid);
  });

  test('doctor checks pass while the stack runs', async () => {
    assert.deepEqual(await checkTemporal(env.config).then((r) => r.ok), true);
    assert.deepEqual(await checkS3(env.config).then((r) => r.ok), true);
  });

  test('stopping the S3 server makes the S3 check fail with a message that names S3', async () => {
    const stopped = await env.stack.down();
    assert.deepEqual(stopped, { temporal: true, s3: true });
    const s3 = await checkS3(env.config);
    assert.equal(s3.ok, false);
    assert.match(s3.detail, /S3/);
    assert.match(s3.detail, /stack up/);
    const temporal = await checkTemporal(env.config);
    assert.equal(temporal.ok, false);
    assert.match(temporal.detail, /Temporal/);
    const status = await env.stack.status();
    assert.equal(status.s3.state, 'stopped');
    assert.equal(status.temporal.state, 'stopped');
  });

  test('workflow history survives a restart of the persisted Temporal server', async () => {
    const { Client, Connection } = await import('@temporalio/client');
    await env.stack.up();
    let connection = await Connection.connect({ address: env.config.temporal.address });
    let client = new Client({ connection });
    const workflowId = `persist-${Date.now()}`;
    // No worker polls this queue: the run stays open, so it must come back from the SQLite file.
    await client.workflow.start('pingPipeline', { taskQueue: 'nobody-polls', workflowId, args: [{}] });
    await connection.close();
    await env.stack.down();
    await env.stack.up();
    connection = await Connection.connect({ address: env.config.temporal.address });
    client = new Client({ connection });
    const desc = await client.workflow.getHandle(workflowId).describe();
    assert.equal(desc.status.name, 'RUNNING');
    await client.workflow.getHandle(workflowId).terminate('test done');
    await connection.close();
  });
});
