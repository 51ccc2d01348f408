import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';

/**
 * No Docker engine or cluster runs here, so the deployment files are checked for
 * consistency with what is built and tested: every variable they set is a documented
 * setting, every command they run exists in the build, and ports line up.
 */
const root = new URL('../../../', import.meta.url); // from dist/test/unit to the repository
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const deployFiles = ['deploy/Dockerfile', 'deploy/docker-compose.yml', ...readdirSync(new URL('deploy/k8s/', root)).map((f) => `deploy/k8s/${f}`)];
const documented = new Set([...read('README.md').matchAll(/^\| `([A-Z0-9_]+)`(?: \/ `([A-Z0-9_]+)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));

describe('deployment files (Docker, Compose, Kubernetes)', () => {
  it('set only documented configuration variables', () => {
    const set = new Set<string>();
    for (const file of deployFiles) {
      const text = read(file).replace(/^\s*#.*$/gm, '');
      for (const m of text.matchAll(/\{ name: ([A-Z][A-Z0-9_]+),/g)) set.add(m[1]!);
      for (const m of text.matchAll(/^\s+- name: ([A-Z][A-Z0-9_]+)$/gm)) set.add(m[1]!);
      for (const m of text.matchAll(/^\s+([A-Z][A-Z0-9_]+): /gm)) set.add(m[1]!);
      for (const m of text.matchAll(/^ENV (.+)$/gm)) for (const kv of m[1]!.matchAll(/([A-Z][A-Z0-9_]*)=("[^"]*"|\S+)/g)) set.add(kv[1]!);
    }
    const ours = [...set].filter((v) => !v.startsWith('POSTGRES_') && v !== 'NODE_ENV' && v !== 'NODE_OPTIONS');
    expect(ours.length).to.be.greaterThan(8);
    for (const v of ours) expect(documented.has(v), `${v} is set in deploy/ but not documented in README's configuration table`).to.equal(true);
  });

  it('run entry points that the build produces', () => {
    const commands = [...deployFiles.map(read).join('\n').matchAll(/(dist\/[\w/-]+\.js)/g)].map((m) => m[1]!);
    expect(commands).to.include.members(['dist/auth-svc/main.js', 'dist/business-svc/main.js', 'dist/scripts/health-check.js', 'dist/scripts/service-clients.js']);
    for (const c of commands) expect(existsSync(new URL(c, root)), c).to.equal(true);
  });

  it('probe the gRPC ports the services listen on by default, through the health service', () => {
    const auth = read('deploy/k8s/auth-svc.yaml');
    const business = read('deploy/k8s/business-svc.yaml');
    expect(auth).to.include('containerPort: 50051').and.include('grpc: { port: 50051 }').and.include('clusterIP: None');
    expect(business).to.include('containerPort: 50052').and.include('grpc: { port: 50052 }').and.include('clusterIP: None');
    const dockerfile = read('deploy/Dockerfile');
    expect(dockerfile).to.match(/AUTH_PORT=50051/).and.match(/BUSINESS_PORT=50052/).and.match(/USER node/);
    expect(dockerfile.match(/HEALTHCHECK .*health-check\.js/g)).to.have.length(2);
  });

  it('keep secrets out: database URL and client secret come from Secrets or an untracked .env', () => {
    const k8s = read('deploy/k8s/auth-svc.yaml') + read('deploy/k8s/business-svc.yaml');
    for (const name of ['DATABASE_URL', 'SERVICE_CLIENT_SECRET']) expect(k8s).to.match(new RegExp(`name: ${name}\\s+valueFrom: \\{ secretKeyRef`));
    expect(read('.gitignore')).to.include('deploy/.env');
    expect(read('deploy/docker-compose.yml')).to.include('${POSTGRES_PASSWORD:?');
  });
});
