import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../runtime/config';
import { temporalConnectionOptions } from '../../runtime/temporal-connection';
import { workerDeploymentOptions } from '../../workers/create-worker';
import { deploymentFromEnv } from '../../workers/run-worker';

test('the local stack needs no TLS, no API key, and reads inputs from its own bucket only', () => {
  const c = loadConfig({});
  assert.deepEqual(temporalConnectionOptions(c.temporal), { address: '127.0.0.1:7233' });
  assert.deepEqual(c.s3.inputBuckets, ['stageprune']);
  assert.equal(c.s3.forcePathStyle, true);
});

test('Temporal Cloud with an API key: TLS on, the key from a mounted file', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-cfg-'));
  try {
    fs.writeFileSync(path.join(dir, 'api-key'), 'tc-api-key-value\n');
    const c = loadConfig({
      STAGEPRUNE_TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      STAGEPRUNE_TEMPORAL_NAMESPACE: 'prod.abc12',
      STAGEPRUNE_TEMPORAL_API_KEY_FILE: path.join(dir, 'api-key'),
    });
    assert.deepEqual(temporalConnectionOptions(c.temporal), {
      address: 'us-east-1.aws.api.temporal.io:7233',
      tls: true,
      apiKey: 'tc-api-key-value',
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('mTLS: client certificate and key, a private CA and a server name', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stageprune-cfg-'));
  try {
    for (const f of ['ca.pem', 'client.pem', 'client.key']) fs.writeFileSync(path.join(dir, f), `${f} bytes`);
    const c = loadConfig({
      STAGEPRUNE_TEMPORAL_ADDRESS: 'temporal.internal:7233',
      STAGEPRUNE_TEMPORAL_TLS_CA_FILE: path.join(dir, 'ca.pem'),
      STAGEPRUNE_TEMPORAL_TLS_CERT_FILE: path.join(dir, 'client.pem'),
      STAGEPRUNE_TEMPORAL_TLS_KEY_FILE: path.join(dir, 'client.key'),
      STAGEPRUNE_TEMPORAL_TLS_SERVER_NAME: 'frontend.temporal.internal',
    });
    const o = temporalConnectionOptions(c.temporal);
    assert.ok(o.tls && typeof o.tls === 'object');
    assert.equal(o.tls.serverNameOverride, 'frontend.temporal.internal');
    assert.equal(Buffer.from(o.tls.serverRootCACertificate!).toString(), 'ca.pem bytes');
    assert.equal(Buffer.from(o.tls.clientCertPair!.crt).toString(), 'client.pem bytes');
    assert.equal(o.apiKey, undefined);
    assert.throws(() => loadConfig({ STAGEPRUNE_TEMPORAL_TLS_CERT_FILE: 'only-a-cert.pem' }), /go together/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('AWS S3 through the default credential chain: no explicit keys, virtual-hosted style, more input buckets', () => {
  const c = loadConfig({
    STAGEPRUNE_S3_ENDPOINT: 'https://s3.eu-west-1.amazonaws.com',
    STAGEPRUNE_S3_REGION: 'eu-west-1',
    STAGEPRUNE_S3_FORCE_PATH_STYLE: 'false',
    STAGEPRUNE_S3_INPUT_BUCKETS: 'stageprune, shared-datasets',
  });
  assert.equal(c.s3.credentials, undefined, 'the AWS SDK chain (env, profile, IRSA, instance role) decides');
  assert.equal(c.s3.forcePathStyle, false);
  assert.deepEqual(c.s3.inputBuckets, ['stageprune', 'shared-datasets']);
});

test('Worker Versioning from the environment: pinned by default once a build ID is set', () => {
  assert.equal(deploymentFromEnv({}), undefined);
  const d = deploymentFromEnv({ STAGEPRUNE_WORKER_BUILD_ID: 'abc123' })!;
  assert.deepEqual(d, { name: 'stageprune', buildId: 'abc123', versioning: 'pinned' });
  assert.deepEqual(workerDeploymentOptions(d), {
    version: { deploymentName: 'stageprune', buildId: 'abc123' },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'PINNED',
  });
  assert.deepEqual(workerDeploymentOptions({ ...d, versioning: 'off' }), {
    version: { deploymentName: 'stageprune', buildId: 'abc123' },
    useWorkerVersioning: false,
  });
  assert.throws(() => deploymentFromEnv({ STAGEPRUNE_WORKER_VERSIONING: 'pinned' }), /BUILD_ID/);
});
