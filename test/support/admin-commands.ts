import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one built admin command (`dist/scripts/<name>.js`) as an operator would, and collects its output. */
export function runAdminCommand(name: 'keys-rotate' | 'users' | 'service-clients', args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const script = fileURLToPath(new URL(`../../scripts/${name}.js`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Same, failing unless it exits 0; resolves with its stdout. */
export async function adminCommand(name: Parameters<typeof runAdminCommand>[0], args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await runAdminCommand(name, args, env);
  if (r.code !== 0) throw new Error(`${name} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
