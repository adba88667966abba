import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, tempDir } from './helpers.js';

/** A real unix datagram socket receiving sd_notify messages, like systemd's NOTIFY_SOCKET. */
export class NotifySocket {
  readonly path = join(tempDir('ecosight-notify-'), 'notify.sock');
  readonly messages: Array<{ atMs: number; assignments: Record<string, string> }> = [];
  private child: ChildProcess | undefined;

  async start(): Promise<void> {
    const child = spawn('python3', [join(FIXTURES, 'notify-receiver.py'), this.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === 'listening') resolve();
          const m = /^(\d+) (.*)$/.exec(line);
          if (!m) continue;
          const assignments = Object.fromEntries(m[2].split('|').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
          this.messages.push({ atMs: Number(m[1]), assignments });
        }
      });
      child.once('error', reject);
    });
  }

  has(key: string, value?: string): boolean {
    return this.messages.some((m) => key in m.assignments && (value === undefined || m.assignments[key] === value));
  }

  firstIndex(key: string): number {
    return this.messages.findIndex((m) => key in m.assignments);
  }

  count(key: string): number {
    return this.messages.filter((m) => key in m.assignments).length;
  }

  stop(): void {
    this.child?.kill();
  }
}
