import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import { sameDatabase } from '../../lib/config/database-url.js';
import { SERVICE_HEAP_FLAGS } from '../../scripts/support/service-process.js';

/**
 * No Docker engine or cluster runs here, so the deployment files are checked for
 * consistency with what is built and tested: every variable they set is a documented
 * setting, every command they run exists in the build, and ports line up.
 */
const root = new URL('../../../', import.meta.url); // from dist/test/unit to the repository
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const deployFiles = ['deploy/Dockerfile', 'deploy/docker-compose.yml', ...readdirSync(new URL('deploy/k8s/', root)).map((f) => `deploy/k8s/${f}`)];
const documented = new Set([...read('docs/configuration.md').matchAll(/^\| `([A-Z0-9_]+)`(?: \/ `([A-Z0-9_]+)`)?/gm)].flatMap((m) => [m[1], m[2]]).filter(Boolean));

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
    for (const v of ours) expect(documented.has(v), `${v} is set in deploy/ but not documented in docs/configuration.md`).to.equal(true);
  });

  it('size the V8 heap as every default start path does (npm start, npm run auth-svc / business-svc)', () => {
    const flags = SERVICE_HEAP_FLAGS.join(' ');
    expect(read('deploy/Dockerfile')).to.include(`ENV NODE_OPTIONS="${flags}"`);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    for (const name of ['auth-svc', 'business-svc']) expect(scripts[name]).to.include(`node ${flags} dist/${name}/main.js`);
  });

  it('run entry points that the build produces', () => {
    const commands = [...deployFiles.map(read).join('\n').matchAll(/(dist\/[\w/-]+\.js)/g)].map((m) => m[1]!);
    expect(commands).to.include.members(['dist/auth-svc/main.js', 'dist/business-svc/main.js', 'dist/scripts/health-check.js', 'dist/scripts/service-clients.js']);
    for (const c of commands) expect(existsSync(new URL(c, root)), c).to.equal(true);
  });

  it('build on the Node line .nvmrc recommends, one the engines field admits', () => {
    const line = read('.nvmrc').trim();
    const images = [...read('deploy/Dockerfile').matchAll(/^FROM node:(\d+)-/gm)].map((m) => m[1]);
    expect(images).to.deep.equal([line, line]);
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(Number(line)).to.be.at.least(Number(/>=(\d+)/.exec(engines)![1]));
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

  it('keep secrets out: database URLs and client secret come from Secrets or an untracked .env', () => {
    const k8s = read('deploy/k8s/auth-svc.yaml') + read('deploy/k8s/business-svc.yaml');
    for (const name of ['DATABASE_URL', 'BUSINESS_DATABASE_URL', 'SERVICE_CLIENT_SECRET']) {
      expect(k8s).to.match(new RegExp(`name: ${name}\\s+valueFrom: \\{ secretKeyRef`));
    }
    expect(read('.gitignore')).to.include('deploy/.env');
    expect(read('deploy/docker-compose.yml')).to.include('${POSTGRES_PASSWORD:?').and.include('${POSTGRES_BUSINESS_PASSWORD:?');
  });

  it('run business-svc on a PostgreSQL database and user of its own, with no notes on local volumes', () => {
    const compose = read('deploy/docker-compose.yml');
    const urlOf = (name: string) => {
      const raw = new RegExp(`^\\s+${name}: (\\S+)$`, 'm').exec(compose)?.[1];
      expect(raw, `${name} in docker-compose.yml`).to.be.a('string');
      return raw!.replace(/\$\{[^}]+\}/g, 'password');
    };
    const auth = urlOf('DATABASE_URL');
    const business = urlOf('BUSINESS_DATABASE_URL');
    expect(sameDatabase(auth, business), 'no database shared between the services').to.equal(false);
    const { username: user, pathname } = new URL(business);
    expect(user).to.not.equal(new URL(auth).username);
    // The postgres container creates that user and database on its first start.
    expect(compose).to.include('./postgres-init:/docker-entrypoint-initdb.d');
    const init = read('deploy/postgres-init/10-business-db.sh');
    expect(init).to.include(`CREATE ROLE ${user} LOGIN`).and.include(`CREATE DATABASE ${pathname.slice(1)} OWNER ${user}`);
    expect(compose).not.to.match(/business-data|:\/data\b/);

    const k8s = read('deploy/k8s/business-svc.yaml');
    expect(k8s).not.to.include('emptyDir').and.not.include('volumeMounts');
    const secretOf = (text: string, name: string) => new RegExp(`name: ${name}\\s+valueFrom: \\{ secretKeyRef: \\{ name: ([\\w-]+)`).exec(text)?.[1];
    expect(secretOf(k8s, 'BUSINESS_DATABASE_URL')).to.be.a('string').and.not.equal(secretOf(read('deploy/k8s/auth-svc.yaml'), 'DATABASE_URL'));
  });

  it('trace with the `tracing` profile: a collector (OTLP gRPC and HTTP in, Jaeger out) and Jaeger, the services pointed at it only when asked', () => {
    const compose = read('deploy/docker-compose.yml');
    const service = (name: string) => {
      const block = new RegExp(`^  ${name}:.*\\n((?:    .*\\n|\\s*\\n)+)`, 'm').exec(compose)?.[1];
      expect(block, `service ${name} in docker-compose.yml`).to.be.a('string');
      return block!;
    };
    const collector = service('otel-collector');
    const jaeger = service('jaeger');
    for (const block of [collector, jaeger]) expect(block).to.include('profiles: [tracing]');
    // Nothing else is in the profile: the default `up` is what it was.
    expect(compose.match(/profiles:/g)).to.have.length(2);
    expect(collector).to.include('./otel-collector.yaml:/etc/otelcol/config.yaml:ro').and.include('--config=/etc/otelcol/config.yaml');
    expect(collector).to.include('"127.0.0.1:4317:4317"').and.include('"127.0.0.1:4318:4318"').and.include('depends_on: [jaeger]');
    expect(jaeger).to.include('"127.0.0.1:16686:16686"');

    const config = read('deploy/otel-collector.yaml');
    expect(config).to.match(/receivers:\s+otlp:\s+protocols:\s+grpc:\s+endpoint: 0\.0\.0\.0:4317\s+http:\s+endpoint: 0\.0\.0\.0:4318/);
    expect(config).to.match(/exporters:\s+otlp\/jaeger:\s+endpoint: jaeger:4317/);
    expect(config).to.match(/traces:\s+receivers: \[otlp\]\s+processors: \[batch\]\s+exporters: \[otlp\/jaeger\]/);

    // Every service process reads the endpoint from deploy/.env; empty (the default) means tracing off.
    for (const name of ['auth-svc', 'business-svc-1']) expect(service(name)).to.include('OTEL_EXPORTER_OTLP_ENDPOINT: ${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    const example = read('deploy/compose.env.example');
    const collectorPort = /^# OTEL_EXPORTER_OTLP_ENDPOINT=http:\/\/otel-collector:(\d+)$/m.exec(example)?.[1];
    expect(collectorPort, 'the example endpoint names the collector').to.equal('4318');
    // http/protobuf (the compose default) is served on the collector's HTTP port.
    expect(service('auth-svc')).to.include('OTEL_EXPORTER_OTLP_PROTOCOL: ${OTEL_EXPORTER_OTLP_PROTOCOL:-http/protobuf}');
  });
});
