// TokenReview and SubjectAccessReview over the wire, as a component delegating to the apiserver
// sends them: seeded tokens, RBAC from stored objects (ClusterRole/Role and their bindings,
// ServiceAccount/User/Group subjects, nonResourceURLs, resourceNames), and the apiserver's
// validation errors.
import assert from 'node:assert/strict';
import { startTestKube, type TestKube } from '../../helpers/kube.js';

const TR = '/apis/authentication.k8s.io/v1/tokenreviews';
const SAR = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
const sar = (spec: Record<string, unknown>) => ({
  apiVersion: 'authorization.k8s.io/v1',
  kind: 'SubjectAccessReview',
  spec,
});

describe('kube emulator: TokenReview and SubjectAccessReview', () => {
  let kube: TestKube;
  before(async () => {
    kube = await startTestKube();
    kube.emu.auth.addServiceAccountToken('sa-token', 'monitoring', 'prometheus');
    kube.emu.store.create('clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'metrics' },
      rules: [{ nonResourceURLs: ['/metrics', '/debug/*'], verbs: ['get'] }],
    });
    kube.emu.store.create('clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metrics' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts:monitoring' }],
    });
    kube.emu.store.create('roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'lease', namespace: 'kube-system' },
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'update'],
          resourceNames: ['ccm'],
        },
      ],
    });
    kube.emu.store.create('rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'lease', namespace: 'kube-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'lease' },
      subjects: [{ kind: 'User', name: 'system:alicloud-controller-manager' }],
    });
  });
  after(() => kube.close());

  it('TokenReview: a seeded token is authenticated with the ServiceAccount user and groups', async () => {
    const r = await kube.api('POST', TR, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 'sa-token' },
    });
    assert.equal(r.status, 201);
    const body = r.body as {
      kind: string;
      status: { authenticated: boolean; user: { username: string; groups: string[] } };
    };
    assert.equal(body.kind, 'TokenReview');
    assert.equal(body.status.authenticated, true);
    assert.equal(body.status.user.username, 'system:serviceaccount:monitoring:prometheus');
    assert.deepEqual(body.status.user.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:monitoring',
      'system:authenticated',
    ]);
  });

  it('TokenReview: an unknown token is not authenticated; an empty one is invalid (422)', async () => {
    const r = await kube.api('POST', TR, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 'nope' },
    });
    assert.equal(r.status, 201);
    assert.equal((r.body as { status: { authenticated?: boolean } }).status.authenticated, undefined);
    const bad = await kube.api('POST', TR, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: {},
    });
    assert.equal(bad.status, 422);
  });

  it('SubjectAccessReview: nonResourceURLs through a Group binding, with prefixes', async () => {
    const groups = ['system:serviceaccounts', 'system:serviceaccounts:monitoring', 'system:authenticated'];
    const ask = async (path: string, verb = 'get', g = groups) =>
      (
        (
          await kube.api(
            'POST',
            SAR,
            sar({
              user: 'system:serviceaccount:monitoring:prometheus',
              groups: g,
              nonResourceAttributes: { path, verb },
            }),
          )
        ).body as { status: { allowed: boolean; reason?: string } }
      ).status;
    const ok = await ask('/metrics');
    assert.equal(ok.allowed, true);
    assert.match(ok.reason ?? '', /ClusterRoleBinding "metrics"/);
    assert.equal((await ask('/debug/pprof/heap')).allowed, true);
    assert.equal((await ask('/metrics', 'post')).allowed, false);
    assert.equal((await ask('/healthz')).allowed, false);
    assert.equal((await ask('/metrics', 'get', ['system:authenticated'])).allowed, false);
  });

  it('SubjectAccessReview: resource requests through a RoleBinding honour namespace and resourceNames', async () => {
    const ask = async (attrs: Record<string, unknown>) =>
      (
        (
          await kube.api(
            'POST',
            SAR,
            sar({
              user: 'system:alicloud-controller-manager',
              resourceAttributes: { group: 'coordination.k8s.io', resource: 'leases', ...attrs },
            }),
          )
        ).body as { status: { allowed: boolean } }
      ).status.allowed;
    assert.equal(await ask({ namespace: 'kube-system', verb: 'update', name: 'ccm' }), true);
    assert.equal(
      await ask({ namespace: 'kube-system', verb: 'update', name: 'kube-controller-manager' }),
      false,
    );
    assert.equal(await ask({ namespace: 'default', verb: 'update', name: 'ccm' }), false);
    assert.equal(await ask({ namespace: 'kube-system', verb: 'delete', name: 'ccm' }), false);
  });

  it('SubjectAccessReview: system:masters may do anything; invalid specs are 422', async () => {
    const r = await kube.api(
      'POST',
      SAR,
      sar({
        user: 'admin',
        groups: ['system:masters'],
        resourceAttributes: { verb: 'delete', resource: 'nodes' },
      }),
    );
    assert.equal((r.body as { status: { allowed: boolean } }).status.allowed, true);
    assert.equal((await kube.api('POST', SAR, sar({ user: 'x' }))).status, 422, 'neither attribute kind');
    assert.equal(
      (await kube.api('POST', SAR, sar({ nonResourceAttributes: { path: '/metrics', verb: 'get' } }))).status,
      422,
      'no user or group',
    );
    assert.equal((await kube.api('GET', SAR)).status, 405);
  });

  it('seeds tokens over the admin endpoint for out-of-process emulators', async () => {
    assert.equal(
      (await kube.api('POST', '/_emulator/tokens', { token: 't2', username: 'alice', groups: ['devs'] }))
        .status,
      200,
    );
    const r = await kube.api('POST', TR, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: 't2' },
    });
    assert.deepEqual((r.body as { status: { user: { groups: string[] } } }).status.user.groups, [
      'devs',
      'system:authenticated',
    ]);
  });
});
