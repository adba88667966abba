import { hashPassword } from '../status-page/password-hash.js';

/**
 * `ecosight-station hash-password`: reads the status page password from stdin (one
 * line; piped, or typed at the prompt) and prints the `statusPage.passwordHash` line
 * for the config. The password itself never goes into a file.
 */
export async function hashPasswordCommand(stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  if ((stdin as { isTTY?: boolean }).isTTY) process.stderr.write('status page password (then Enter): ');
  const password = (await firstLine(stdin)).replace(/\r?\n$/, '');
  if (password.length < 8) {
    process.stderr.write('the password must have at least 8 characters\n');
    return 2;
  }
  process.stdout.write(`passwordHash: '${await hashPassword(password)}'\n`);
  return 0;
}

function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer | string): void => {
      text += chunk.toString();
      const nl = text.indexOf('\n');
      if (nl >= 0) done(text.slice(0, nl));
    };
    const done = (line: string): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.pause();
      resolve(line);
    };
    const onEnd = (): void => done(text);
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', reject);
  });
}
